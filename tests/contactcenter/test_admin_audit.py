"""The admin: PII lists and pages audited, edits recorded as changes (field names only), and the
casework workflow's fields and records out of its reach."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from casework.models import Inquiry, Response
from contactcenter.models import AuditAction, AuditEvent
from contactcenter.staff.roles import Role
from tests.casework.factories import make_inquiry


@pytest.fixture
def admin_client(client, make_staff):
    user = make_staff(Role.ADMINISTRATOR)
    client.force_login(user)
    client.user = user
    return client


def _rows(user, **filters):
    return AuditEvent.objects.filter(actor=user, **filters)


@pytest.mark.django_db
def test_a_changelist_of_pii_records_the_rows_it_listed(admin_client):
    first, second = make_inquiry().correspondent, make_inquiry(correspondent_email="b@example.org").correspondent
    response = admin_client.get("/admin/casework/correspondent/")
    assert response.status_code == 200
    row = _rows(admin_client.user, target_type="casework.correspondent").get()
    assert (row.action, row.channel, row.target_id) == (AuditAction.VIEW, "admin", "")
    assert row.detail["count"] == "2"
    assert sorted(int(i) for i in row.detail["ids"].strip("[]").split(",")) == sorted([first.pk, second.pk])


@pytest.mark.django_db
def test_an_admin_edit_is_recorded_as_a_change_naming_the_fields_not_as_a_view(admin_client):
    correspondent = make_inquiry().correspondent
    url = f"/admin/casework/correspondent/{correspondent.pk}/change/"
    data = {
        "name": correspondent.name,
        "organisation": correspondent.organisation,
        "email": "new.address@example.org",
        "phone": "",
        "address": "",
        "role": correspondent.role,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302
    correspondent.refresh_from_db()
    assert correspondent.email == "new.address@example.org"
    rows = list(_rows(admin_client.user, target_id=str(correspondent.pk)))
    assert [(row.action, row.target_type) for row in rows] == [(AuditAction.UPDATE, "casework.correspondent")]
    assert rows[0].detail == {"fields": "['email']"}
    assert "new.address" not in rows[0].summary + str(rows[0].detail)
    # Opening the page is the view.
    admin_client.get(url)
    assert _rows(admin_client.user, action=AuditAction.VIEW, target_id=str(correspondent.pk)).count() == 1


@pytest.mark.django_db
def test_the_admin_cannot_change_an_inquirys_status_assignee_or_source(admin_client):
    inquiry = make_inquiry()
    model_admin = admin.site._registry[Inquiry]
    request = RequestFactory().get("/")
    request.user = admin_client.user
    fields = model_admin.get_form(request, inquiry)().fields
    assert {"status", "assignee", "source", "due_on", "status_before_hold"}.isdisjoint(fields)
    page = admin_client.get(f"/admin/casework/inquiry/{inquiry.pk}/change/").content.decode()
    assert 'name="status"' not in page and 'name="assignee"' not in page and 'name="source"' not in page


@pytest.mark.django_db
def test_the_admin_cannot_delete_a_response_nor_an_inquiry_that_has_one(admin_client, make_staff):
    analyst = make_staff(Role.CAO_ANALYST)
    from casework import services
    from contactcenter.audit.context import AuditContext

    context = AuditContext(actor=analyst)
    inquiry = services.inquiry_triage(context=context, inquiry=make_inquiry(), source="cis_ombudsman", priority=2)
    inquiry = services.inquiry_assign(context=context, inquiry=inquiry, assignee=analyst)
    response = services.response_draft(context=AuditContext(actor=analyst), inquiry=inquiry, subject="Re", body="Dear")
    assert admin_client.post(f"/admin/casework/response/{response.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"/admin/casework/inquiry/{inquiry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Response.objects.filter(pk=response.pk).exists() and Inquiry.objects.filter(pk=inquiry.pk).exists()


@pytest.mark.django_db
def test_a_staff_password_set_in_the_admin_is_recorded_without_the_password(admin_client, make_staff):
    staff = make_staff(Role.CSR)
    secret = "a-brand-new-passphrase-991"
    response = admin_client.post(
        f"/admin/auth/user/{staff.pk}/password/",
        {"password1": secret, "password2": secret, "usable_password": "true"},
    )
    assert response.status_code == 302
    row = _rows(admin_client.user, action=AuditAction.UPDATE, target_type="auth.user").get()
    assert row.target_id == str(staff.pk) and row.detail["fields"] == "['password']"
    assert secret not in row.summary + str(row.detail)


@pytest.mark.django_db
def test_an_admin_deletion_of_personal_records_is_recorded(admin_client):
    from outreach.models import Contact
    from tests.outreach.factories import ContactFactory

    contact = ContactFactory()
    assert admin_client.post(f"/admin/outreach/contact/{contact.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    row = _rows(admin_client.user, action=AuditAction.DELETE).get()
    assert (row.target_type, row.target_id) == ("outreach.contact", str(contact.pk))


def _inlined_models() -> set:
    return {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}


def test_every_model_of_ours_is_administrable():
    """Registered, or edited inside the admin of the record it belongs to."""
    from django.apps import apps

    ours = [m for m in apps.get_models() if m._meta.app_label in {"contactcenter", "ivr", "casework", "outreach"}]
    reachable = set(admin.site._registry) | _inlined_models()
    assert sorted(m._meta.label for m in ours if m not in reachable) == []


@pytest.mark.django_db
def test_every_admin_list_opens_and_workflow_records_are_read_only(admin_client):
    from contactcenter.admin import RecordOnlyAdminMixin

    failed = []
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        response = admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        if response.status_code != 200:
            failed.append(f"{meta.label}: {response.status_code}")
        if isinstance(model_admin, RecordOnlyAdminMixin):
            add = admin_client.get(f"/admin/{meta.app_label}/{meta.model_name}/add/")
            if add.status_code != 403:
                failed.append(f"{meta.label}: add page answered {add.status_code}")
    assert failed == []


@pytest.mark.parametrize(
    "label", ["contactcenter.escalation", "contactcenter.callcontrol", "contactcenter.outboundmessage"]
)
def test_the_live_tiers_records_are_kept_by_their_services_not_the_admin(label):
    from contactcenter.admin import RecordOnlyAdminMixin

    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label_lower == label)
    assert isinstance(model_admin, RecordOnlyAdminMixin)
