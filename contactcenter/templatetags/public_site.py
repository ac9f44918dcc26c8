"""What the public pages (no sign-in) show in place of the staff header and notice."""

from __future__ import annotations

from django import template

from contactcenter.common.agency import agency_public_name as _agency_public_name

register = template.Library()


@register.simple_tag
def agency_public_name() -> str:
    return _agency_public_name()
