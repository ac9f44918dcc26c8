"""The console's look-ups: forms, processing times and the Visa Bulletin, as the IVR answers them."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contactcenter import selectors
from contactcenter.common.forms import UswdsForm
from contactcenter.models import Chargeability, FormOrderChannel, ProcessingTime, VisaCategory
from contactcenter.reference.identifiers import InvalidIdentifier, normalize_receipt_number

ORDER_TOKEN = re.compile(r"^[0-9a-f]{32}$")


class FormChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.number} — {obj.title_for((get_language() or 'en')[:2])}"


class FormSearchForm(UswdsForm):
    q = forms.CharField(
        label=_("Form number or title"),
        max_length=80,
        help_text=_("For example I-485, 765 or “employment”."),
    )


class FormOrderForm(UswdsForm):
    channel = forms.ChoiceField(label=_("Send it by"), choices=FormOrderChannel.choices)
    phone = forms.CharField(
        label=_("Mobile number for the text"),
        required=False,
        max_length=20,
        help_text=_("10 digits; for a text message only."),
    )
    receipt_number = forms.CharField(
        label=_("Receipt number of the caller's case"),
        required=False,
        max_length=20,
        help_text=_("For mail only: the form goes to the address on file of this case."),
    )
    language = forms.ChoiceField(
        label=_("Language of the text"), choices=[("en", _("English")), ("es", _("Spanish"))], initial="en"
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean_token(self) -> str:
        token = self.cleaned_data["token"]
        if not ORDER_TOKEN.match(token):
            raise forms.ValidationError(_("Reload the page and order again."))
        return token

    def clean_receipt_number(self) -> str:
        value = self.cleaned_data["receipt_number"].strip()
        if not value:
            return ""
        try:
            return normalize_receipt_number(value)
        except InvalidIdentifier as error:
            raise forms.ValidationError(
                _("A receipt number is 3 letters (EAC, WAC, LIN, SRC, NBC, MSC, IOE or YSC) and 10 digits.")
            ) from error

    def clean(self):
        cleaned = super().clean()
        channel = cleaned.get("channel")
        if channel == FormOrderChannel.SMS and not cleaned.get("phone"):
            self.add_error("phone", _("Give the number to text the link to."))
        if channel == FormOrderChannel.MAIL and not cleaned.get("receipt_number") and "receipt_number" in cleaned:
            self.add_error("receipt_number", _("Give the receipt number of the case whose address gets the form."))
        return cleaned


class ProcessingTimeForm(UswdsForm):
    form = FormChoiceField(label=_("Form"), queryset=selectors.form_list(), empty_label=_("Choose a form"))
    category = forms.ChoiceField(label=_("Category"), required=False)
    office = forms.ModelChoiceField(
        label=_("Office"),
        queryset=selectors.processing_time_publishing_offices(),
        required=False,
        empty_label=_("Every office"),
    )
    zip_code = forms.RegexField(
        label=_("Or the caller's ZIP code"),
        regex=r"^\d{5}$",
        max_length=5,
        required=False,
        help_text=_("The nearest office that publishes its own time, as the IVR chooses it."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        spanish = (get_language() or "en").startswith("es")
        categories = dict(ProcessingTime.objects.order_by("category").values_list("category", "category_es").distinct())
        self.fields["category"].choices = [
            ("", _("Every category")),
            *((name, spanish_name if spanish and spanish_name else name) for name, spanish_name in categories.items()),
        ]


class CaseProcessingForm(UswdsForm):
    receipt_number = forms.CharField(
        label=_("Receipt number of the case to check"), max_length=20, help_text=_("3 letters and 10 digits.")
    )

    def clean_receipt_number(self) -> str:
        try:
            return normalize_receipt_number(self.cleaned_data["receipt_number"])
        except InvalidIdentifier as error:
            raise forms.ValidationError(
                _("A receipt number is 3 letters (EAC, WAC, LIN, SRC, NBC, MSC, IOE or YSC) and 10 digits.")
            ) from error


class VisaBulletinForm(UswdsForm):
    category = forms.ChoiceField(label=_("Preference category"), choices=VisaCategory.choices)
    chargeability = forms.ChoiceField(
        label=_("Country of chargeability"),
        choices=[("", _("Every chargeability column")), *Chargeability.choices],
        required=False,
    )
