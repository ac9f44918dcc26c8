"""The forms that ask for case-status updates: the public page's and the console's."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from contactcenter.common.forms import UswdsForm
from contactcenter.models import UpdateChannel


class _Address(UswdsForm):
    channel = forms.ChoiceField(
        label=_("Send updates by"), choices=UpdateChannel.choices, widget=forms.RadioSelect, initial=UpdateChannel.SMS
    )
    phone = forms.CharField(
        label=_("Mobile phone number"), required=False, max_length=20, help_text=_("10 digits; for text messages.")
    )
    email = forms.EmailField(label=_("E-mail address"), required=False, max_length=254)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("channel") == UpdateChannel.SMS and not data.get("phone"):
            self.add_error("phone", _("Enter the mobile phone number to text."))
        if data.get("channel") == UpdateChannel.EMAIL and not data.get("email"):
            self.add_error("email", _("Enter the e-mail address to write to."))
        return data

    @property
    def address(self) -> str:
        data = self.cleaned_data
        return data["phone"] if data["channel"] == UpdateChannel.SMS else data["email"]


class PublicSubscribeForm(_Address):
    receipt_number = forms.CharField(
        label=_("Receipt number"),
        max_length=20,
        help_text=_("3 letters and 10 digits, for example EAC2190000001, as on your receipt notice."),
    )
    field_order = ["receipt_number", "channel", "phone", "email"]


class ConfirmCodeForm(UswdsForm):
    code = forms.RegexField(
        label=_("Confirmation code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        help_text=_("The 6 digits we just sent you."),
        error_messages={"invalid": _("Enter the 6 digits of the code.")},
    )


class ConsoleSubscribeForm(_Address):
    language = forms.ChoiceField(
        label=_("Language of the updates"), choices=[("en", _("English")), ("es", _("Spanish"))], initial="en"
    )
