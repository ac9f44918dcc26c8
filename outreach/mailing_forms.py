from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from contactcenter.common.files import file_size_problem
from contactcenter.common.forms import MultipleFileField, UswdsForm
from contactcenter.models import Topic

from .mailings import AttachmentIn, attachment_problem
from .models import MailingSegment, OrganisationLevel, OrganisationType, Program


def _topic_choices() -> list[tuple[str, str]]:
    language = (get_language() or "en")[:2]
    return [(topic.code, topic.name_for(language)) for topic in Topic.objects.filter(active=True).order_by("code")]


class MailingSegmentForm(UswdsForm):
    name = forms.CharField(label=_("Segment name"), max_length=120)
    kinds = forms.MultipleChoiceField(
        label=_("Organization types"),
        choices=OrganisationType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every type."),
    )
    levels = forms.MultipleChoiceField(
        label=_("Levels"), choices=OrganisationLevel.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    region = forms.CharField(label=_("Region"), max_length=80, required=False)
    state = forms.CharField(label=_("State (2 letters)"), max_length=2, required=False)
    language = forms.CharField(label=_("Language served (code, e.g. es)"), max_length=5, required=False)
    interests = forms.MultipleChoiceField(
        label=_("Interests"), choices=(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("People who asked to hear about any of these topics. None chosen: everyone."),
    )  # fmt: skip

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interests"].choices = _topic_choices()

    @staticmethod
    def initial_for(segment: MailingSegment) -> dict:
        return {
            field: getattr(segment, field)
            for field in ("name", "kinds", "levels", "region", "state", "language", "interests")
        }


class ContactInterestsForm(UswdsForm):
    interests = forms.MultipleChoiceField(
        label=_("Topics this person wants to hear about"),
        choices=(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interests"].choices = _topic_choices()


class MailingForm(UswdsForm):
    segment = forms.ModelChoiceField(label=_("Segment"), queryset=MailingSegment.objects.order_by("name"))
    program = forms.ModelChoiceField(
        label=_("Program (optional)"),
        queryset=Program.objects.order_by("-starts_on", "name"),
        required=False,
        help_text=_("The outreach program or campaign this mailing is part of."),
    )
    subject_en = forms.CharField(label=_("Subject in English"), max_length=200)
    body_en = forms.CharField(label=_("Message in English"), widget=forms.Textarea(attrs={"rows": 8}))
    subject_es = forms.CharField(label=_("Subject in Spanish"), max_length=200)
    body_es = forms.CharField(label=_("Message in Spanish"), widget=forms.Textarea(attrs={"rows": 8}))
    attachments = MultipleFileField(
        label=_("Attachments (optional)"),
        required=False,
        help_text=_("PDF, JPEG, PNG, Word (.docx), calendar (.ics) or text; up to 5 MB each."),
    )
    remove_attachments = forms.MultipleChoiceField(
        label=_("Remove attachments"), choices=(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, mailing=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if mailing is None:
            del self.fields["remove_attachments"]
        else:
            self.fields["remove_attachments"].choices = [(str(a.pk), a.filename) for a in mailing.attachments.all()]
            if not self.fields["remove_attachments"].choices:
                del self.fields["remove_attachments"]

    def clean_attachments(self) -> list[AttachmentIn]:
        items, problems = [], []
        limit = settings.OUTREACH_MAILING_ATTACHMENT_MAX_BYTES
        for upload in self.cleaned_data.get("attachments") or []:
            too_large = file_size_problem(filename=upload.name, size=upload.size, limit=limit)
            if too_large:  # refused by its size, never read
                problems.append(too_large)
                continue
            content = upload.read()
            problem = attachment_problem(filename=upload.name, content=content)
            if problem:
                problems.append(problem)
            else:
                items.append(AttachmentIn(filename=upload.name, content=content))
        if problems:
            raise forms.ValidationError(problems)
        return items

    @staticmethod
    def initial_for(mailing) -> dict:
        return {
            "segment": mailing.segment_id,
            "program": mailing.program_id,
            "subject_en": mailing.subject_en,
            "body_en": mailing.body_en,
            "subject_es": mailing.subject_es,
            "body_es": mailing.body_es,
        }
