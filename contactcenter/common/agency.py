"""The agency's name as the public pages show it."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

DEFAULT_AGENCY_NAME = "U.S. Citizenship and Immigration Services"


def agency_public_name() -> str:
    """The configured name; the default one in the visitor's language (a configured one is a proper name)."""
    name = settings.AGENCY_PUBLIC_NAME
    return _("U.S. Citizenship and Immigration Services") if name == DEFAULT_AGENCY_NAME else name
