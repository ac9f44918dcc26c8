from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from .audit import client_ip
from .identifiers import InvalidIdentifier, normalize_receipt_number


def _failure_keys(request, username: str) -> list[str]:
    return [f"login-fail:user:{username.lower()[:150]}", f"login-fail:ip:{client_ip(request) or '-'}"]


class ThrottledAuthenticationForm(AuthenticationForm):
    """Locks a username (and an address) out for a while after repeated failed sign-ins."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": _("Too many failed sign-in attempts. Wait 15 minutes or contact the service desk."),
    }

    def clean(self):
        username = self.data.get("username", "")
        keys = _failure_keys(self.request, username)
        if any((cache.get(key) or 0) >= settings.LOGIN_FAILURE_LIMIT for key in keys):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            return super().clean()
        except forms.ValidationError:
            for key in keys:
                cache.add(key, 0, settings.LOGIN_FAILURE_WINDOW_SECONDS)
                try:
                    cache.incr(key)
                except ValueError:
                    cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW_SECONDS)
            raise


class ReceiptLookupForm(forms.Form):
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=20,
        help_text=_("3 letters and 10 digits, for example EAC2190000001."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "usa-input"}),
    )

    def clean_receipt_number(self) -> str:
        try:
            return normalize_receipt_number(self.cleaned_data["receipt_number"])
        except InvalidIdentifier as error:
            raise forms.ValidationError(
                _("A receipt number is 3 letters (EAC, WAC, LIN, SRC, NBC, MSC, IOE or YSC) and 10 digits.")
            ) from error
