"""Every write of PED outreach. Views, the API, tasks and commands call these and nothing else."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contactcenter import selectors as core_selectors
from contactcenter import services as core_services
from contactcenter.audit.context import AuditContext
from contactcenter.audit.pii import mask_case_identifiers, mask_pii
from contactcenter.common.background import enqueue_on_commit, mail_message_id
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditAction, AuditChannel, Channel, ContactKind, Language, Outcome, Topic
from contactcenter.reference.identifiers import InvalidIdentifier, normalize_receipt_number, phone_e164
from contactcenter.routing.hours import caller_time_zone

from . import selectors
from .models import (
    AgencyOffice,
    AgencyOfficeMembership,
    CaseReferral,
    Contact,
    CroProfile,
    Engagement,
    EngagementLanguage,
    EngagementMessage,
    EngagementMessageDelivery,
    EngagementStatus,
    EngagementType,
    FeedbackItem,
    FeedbackSource,
    FeedbackStatus,
    InteractionKind,
    Membership,
    OfficialRole,
    Organisation,
    OrganisationLevel,
    OrganisationType,
    PartnerInteraction,
    PartnerReportBack,
    PartnerReportBackDelivery,
    PreferredChannel,
    Program,
    ProgramKind,
    ReferralMode,
    ReferralOutcome,
    ReferralStatus,
    Registration,
    RegistrationStatus,
    ReportBack,
    ReportBackDelivery,
)
from .regions import DISTRICT_REGION, REGIONS, US_STATE_NAMES
from .workflows import FEEDBACK, REGISTRATION, attendance_open

CANCEL_SALT = "outreach.registration.cancel"
TIME_LABELS = {
    "start": gettext_lazy("start"),
    "end": gettext_lazy("end"),
    "registration close": gettext_lazy("registration close"),
}


def _audit(context: AuditContext, action: str, target: object, summary: str, **detail) -> None:
    core_services.audit_record(
        context=context,
        action=action,
        target_type=f"outreach.{type(target).__name__.lower()}",
        target_id=target.pk,
        summary=summary,
        detail=detail or None,
    )


def _save(instance, update_fields: list[str] | None = None) -> None:
    try:
        instance.full_clean()
    except ValidationError as error:
        raise ApplicationError.from_validation(error, labelled=True) from error
    instance.save(update_fields=update_fields)


# --- normalising ----------------------------------------------------------------------------------
def normalize_email(raw: str) -> str:
    value = (raw or "").strip().lower()
    if not value:
        return ""
    try:
        validate_email(value)
    except ValidationError as error:
        raise ApplicationError(_("%(value)s is not a valid e-mail address.") % {"value": raw}, field="email") from error
    return value


def normalize_phone(raw: str) -> str:
    """Any US (or +country) way of writing a number → E.164; a clear refusal otherwise."""
    value = (raw or "").strip()
    if not value:
        return ""
    number = phone_e164(value)
    if number is None:
        raise ApplicationError(
            _("%(value)s is not a valid telephone number: give the area code and 7 digits.") % {"value": raw},
            field="phone",
        )
    return number


def _topic(code: str) -> Topic:
    topic = core_selectors.topic_list(active_only=False).filter(code=code).first()
    if topic is None:
        raise ApplicationError(_("Unknown topic %(code)s.") % {"code": code}, field="topic")
    return topic


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ApplicationError(_("%(name)s is not a time zone.") % {"name": name}, field="time_zone") from error


def check_event_time(value: datetime, zone_name: str, label: str) -> datetime:
    """A time with no offset, or an offset the event's zone does not have then, is refused:
    a naive 10:00 would be read in the server's zone and the event would move."""
    zone = _zone(zone_name)
    field, label = label, TIME_LABELS.get(label, label)
    if value.tzinfo is None or value.utcoffset() is None:
        raise ApplicationError(
            _("The %(label)s time has no time zone: give it with its UTC offset or choose the event's time zone.")
            % {"label": label},
            field=field,
        )
    expected = value.astimezone(zone).utcoffset()
    if value.utcoffset() != expected:
        raise ApplicationError(
            _("The %(label)s time's UTC offset %(given)s does not match %(zone)s, which is %(expected)s on that date.")
            % {"label": label, "given": _offset(value.utcoffset()), "zone": zone_name, "expected": _offset(expected)},
            field=field,
        )
    return value


def local_to_aware(value: datetime, zone_name: str, label: str) -> datetime:
    """A wall-clock time typed in a form, in the event's zone; refuses the hour skipped or repeated
    by a daylight-saving change rather than guess."""
    zone = _zone(zone_name)
    early, late = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    roundtrip = early.astimezone(ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
    if roundtrip != value:
        raise ApplicationError(
            _("%(time)s does not exist in %(zone)s (clocks move forward then): choose another time.")
            % {"time": f"{value:%Y-%m-%d %H:%M}", "zone": zone_name},
            field=label,
        )
    if early.utcoffset() != late.utcoffset():
        raise ApplicationError(
            _("%(time)s happens twice in %(zone)s (clocks move back then): choose another time.")
            % {"time": f"{value:%Y-%m-%d %H:%M}", "zone": zone_name},
            field=label,
        )
    return early


def _offset(delta: timedelta | None) -> str:
    minutes = int((delta or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# --- organisations and contacts ----------------------------------------------------------------
def organisation_create(
    *,
    context: AuditContext,
    name: str,
    kind: str,
    level: str,
    region: str = "",
    district: str = "",
    address_line: str = "",
    city: str = "",
    state: str = "",
    zip_code: str = "",
    languages: Iterable[str] = (),
    notes: str = "",
    owner=None,
) -> Organisation:
    if kind not in OrganisationType.values:
        raise ApplicationError(_("Unknown organisation type %(value)s.") % {"value": kind}, field="kind")
    if level not in OrganisationLevel.values:
        raise ApplicationError(_("Unknown level %(value)s.") % {"value": level}, field="level")
    if level == OrganisationLevel.DISTRICT and not district.strip():
        raise ApplicationError(_("A district-level organisation needs its district."), field="district")
    organisation = Organisation(
        name=name.strip(),
        kind=kind,
        level=level,
        region=region.strip(),
        district=district.strip(),
        address_line=address_line.strip(),
        city=city.strip(),
        state=state.strip().upper(),
        zip_code=zip_code.strip(),
        languages=sorted({code.strip().lower() for code in languages if code.strip()}),
        notes=notes,
        owner=owner,
    )
    with transaction.atomic():
        # "Phoenix", "phoenix " and "PHOENIX" are one district (the name is compared the same way).
        if Organisation.objects.filter(name__iexact=organisation.name, district__iexact=organisation.district).exists():
            raise ApplicationError(
                _("%(name)s is already on file for this district.") % {"name": organisation.name},
                field="name",
            )
        _save(organisation)
        _audit(context, AuditAction.CREATE, organisation, f"Organisation {organisation.name} created")
    return organisation


def organisation_owner_set(*, context: AuditContext, organisation_id: int, owner) -> Organisation:
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation_id)
        organisation.owner = owner
        _save(organisation, update_fields=["owner", "updated_at"])
        _audit(context, AuditAction.UPDATE, organisation, f"Partner {organisation.name} assigned to {owner}")
    return organisation


def contact_duplicates_of(*, email: str = "", phone: str = "", first_name: str = "", last_name: str = "") -> list:
    """Live contacts that look like the same person: same e-mail, same telephone, or same name."""
    match = Q(pk__in=[])
    if email:
        match |= Q(email=email)
    if phone:
        match |= Q(phone=phone)
    if first_name and last_name:
        match |= Q(first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip())
    return list(Contact.objects.filter(match, merged_into__isnull=True).order_by("pk"))


def contact_create(
    *,
    context: AuditContext,
    first_name: str,
    last_name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
    official_role: str = "",
    preferred_language: str = Language.ENGLISH,
    preferred_channel: str = PreferredChannel.EMAIL,
    consent_email: bool = False,
    consent_phone: bool = False,
    notes: str = "",
    organisation: Organisation | None = None,
    position: str = "",
    allow_possible_duplicate: bool = False,
) -> Contact:
    """A new person. The same e-mail is always refused; a same phone or name is refused unless the
    user confirms they are different people (`allow_possible_duplicate`)."""
    email, phone = normalize_email(email), normalize_phone(phone)
    if official_role not in OfficialRole.values:
        raise ApplicationError(_("Unknown official role %(value)s.") % {"value": official_role}, field="official_role")
    contact = Contact(
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email,
        phone=phone,
        title=title.strip(),
        official_role=official_role,
        preferred_language=preferred_language,
        preferred_channel=preferred_channel,
        consent_email=consent_email,
        consent_phone=consent_phone,
        consent_recorded_at=timezone.now() if (consent_email or consent_phone) else None,
        notes=notes,
    )
    with transaction.atomic():
        duplicates = contact_duplicates_of(email=email, phone=phone, first_name=first_name, last_name=last_name)
        same_email = [dup for dup in duplicates if email and dup.email == email]
        if same_email or (duplicates and not allow_possible_duplicate):
            names = ", ".join(f"{dup} (#{dup.pk})" for dup in duplicates)
            raise ApplicationError(
                (
                    _(
                        "This person may already be on file: %(names)s. Open the existing contact — the e-mail "
                        "address is taken."
                    )
                    if same_email
                    else _(
                        "This person may already be on file: %(names)s. Open the existing contact, or confirm they are "
                        "a different person."
                    )
                )
                % {"names": names},
                extra={"duplicates": [dup.pk for dup in duplicates], "same_email": bool(same_email)},
            )
        try:
            with transaction.atomic():
                _save(contact)
        except IntegrityError as error:  # a concurrent create with the same e-mail won the race
            raise ApplicationError(_("The e-mail address is already on file."), field="email") from error
        _audit(context, AuditAction.CREATE, contact, f"Contact #{contact.pk} created")
        if organisation is not None:
            _membership_add(context, contact, organisation, position)
    return contact


def _membership_add(context: AuditContext, contact: Contact, organisation: Organisation, position: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        contact=contact, organisation=organisation, defaults={"position": position.strip()}
    )
    if created:
        _audit(context, AuditAction.CREATE, membership, f"Contact #{contact.pk} joined {organisation.name}")
    return membership


def membership_add(*, context: AuditContext, contact_id: int, organisation_id: int, position: str = "") -> Membership:
    with transaction.atomic():
        contact = Contact.objects.get(pk=contact_id, merged_into__isnull=True)
        return _membership_add(context, contact, Organisation.objects.get(pk=organisation_id), position)


def contact_preferences_set(
    *,
    context: AuditContext,
    contact_id: int,
    preferred_language: str,
    preferred_channel: str,
    consent_email: bool,
    consent_phone: bool,
) -> Contact:
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=contact_id)
        changed = (contact.consent_email, contact.consent_phone) != (consent_email, consent_phone)
        contact.preferred_language, contact.preferred_channel = preferred_language, preferred_channel
        contact.consent_email, contact.consent_phone = consent_email, consent_phone
        if changed:
            contact.consent_recorded_at = timezone.now()
        fields = ["preferred_language", "preferred_channel", "consent_email", "consent_phone", "consent_recorded_at"]
        _save(contact, update_fields=[*fields, "updated_at"])
        _audit(
            context,
            AuditAction.UPDATE,
            contact,
            f"Contact #{contact.pk} preferences: {preferred_channel}, e-mail consent {consent_email}, "
            f"call consent {consent_phone}",
        )
    return contact


def contact_merge(*, context: AuditContext, keep_id: int, merge_id: int) -> Contact:
    """Fold a duplicate into the contact kept: memberships move, blanks are filled, the duplicate
    stays on file pointing at the one kept (so old links still resolve), and an audit row says so."""
    if keep_id == merge_id:
        raise ApplicationError(_("A contact cannot be merged into itself."))
    with transaction.atomic():
        contacts = {c.pk: c for c in Contact.objects.select_for_update().filter(pk__in=[keep_id, merge_id])}
        keep, merge = contacts.get(keep_id), contacts.get(merge_id)
        if keep is None or merge is None:
            raise ApplicationError(_("Both contacts must exist."))
        if keep.merged_into_id or merge.merged_into_id:
            raise ApplicationError(_("One of these contacts was already merged: merge into the contact kept."))
        filled = []
        for field in ("title", "official_role", "phone", "notes"):
            if not getattr(keep, field) and getattr(merge, field):
                setattr(keep, field, getattr(merge, field))
                filled.append(field)
        if not keep.consent_recorded_at and merge.consent_recorded_at:
            keep.consent_email, keep.consent_phone = merge.consent_email, merge.consent_phone
            keep.consent_recorded_at = merge.consent_recorded_at
            filled += ["consent_email", "consent_phone", "consent_recorded_at"]
        # An unsubscribe or a bounce recorded on the duplicate stays with the person (outreach/mailings.py).
        if merge.mail_unsubscribed_at and not keep.mail_unsubscribed_at:
            keep.mail_unsubscribed_at, keep.consent_email = merge.mail_unsubscribed_at, False
            filled += ["mail_unsubscribed_at"] + ([] if "consent_email" in filled else ["consent_email"])
        merged_email = merge.email
        merge.merged_into = keep
        _save(merge, update_fields=["merged_into", "updated_at"])
        if not keep.email and merged_email:
            keep.email = merged_email
            filled.append("email")
            if merge.email_bounced_at and not keep.email_bounced_at:
                keep.email_bounced_at, keep.email_bounce_reason = merge.email_bounced_at, merge.email_bounce_reason
                filled += ["email_bounced_at", "email_bounce_reason"]
        _save(keep, update_fields=[*filled, "updated_at"])
        moved = 0
        for membership in Membership.objects.filter(contact=merge).select_related("organisation"):
            if Membership.objects.filter(contact=keep, organisation=membership.organisation).exists():
                membership.delete()
            else:
                membership.contact = keep
                membership.save(update_fields=["contact"])
                moved += 1
        PartnerInteraction.objects.filter(contact=merge).update(contact=keep)
        # Contacts merged earlier into the one folded now follow it: each points at the live contact
        # kept, never at one that is itself merged (no chains). Their memberships moved at their own
        # merge and so move with `merge`'s above.
        repointed = []
        for earlier in Contact.objects.select_for_update().filter(merged_into=merge).order_by("pk"):
            earlier.merged_into = keep
            _save(earlier, update_fields=["merged_into", "updated_at"])
            _audit(
                context,
                AuditAction.UPDATE,
                earlier,
                f"Contact #{earlier.pk} now points at #{keep.pk} (#{merge.pk}, which it was merged into, was merged)",
                merged_into_id=keep.pk,
                previously_merged_into_id=merge.pk,
            )
            repointed.append(earlier.pk)
        _audit(
            context,
            AuditAction.UPDATE,
            keep,
            f"Contact #{merge.pk} merged into #{keep.pk}"
            + (f"; #{', #'.join(map(str, repointed))} re-pointed to #{keep.pk}" if repointed else ""),
            merged_id=merge.pk,
            filled=",".join(filled),
            memberships_moved=moved,
            repointed=",".join(map(str, repointed)),
        )
    return keep


# --- CRO network -------------------------------------------------------------------------------
def cro_profile_set(*, context: AuditContext, user, region: str, districts: Iterable[str]) -> CroProfile:
    with transaction.atomic():
        profile, _created = CroProfile.objects.select_for_update().get_or_create(user=user)
        profile.region = region.strip()
        profile.districts = [d.strip() for d in districts if d.strip()]
        _save(profile)
        _audit(context, AuditAction.UPDATE, profile, f"CRO {user.get_username()} covers {', '.join(profile.districts)}")
    return profile


def partner_interaction_log(
    *,
    context: AuditContext,
    cro,
    organisation_id: int,
    kind: str,
    summary: str,
    occurred_at: datetime | None = None,
    contact_id: int | None = None,
    follow_up: str = "",
    follow_up_due=None,
) -> PartnerInteraction:
    if kind not in InteractionKind.values:
        raise ApplicationError(_("Unknown interaction kind %(value)s.") % {"value": kind}, field="kind")
    if follow_up_due and not follow_up.strip():
        raise ApplicationError(_("Say what the follow-up is."), field="follow_up")
    entry = PartnerInteraction(
        cro=cro,
        organisation_id=organisation_id,
        contact_id=contact_id,
        kind=kind,
        summary=mask_pii(summary.strip()),
        occurred_at=occurred_at or timezone.now(),
        follow_up=mask_pii(follow_up.strip()),
        follow_up_due=follow_up_due,
    )
    with transaction.atomic():
        _save(entry)
        _audit(context, AuditAction.CREATE, entry, f"{entry.get_kind_display()} with organisation #{organisation_id}")
    return entry


def follow_up_complete(*, context: AuditContext, interaction_id: int) -> PartnerInteraction:
    with transaction.atomic():
        entry = PartnerInteraction.objects.select_for_update().get(pk=interaction_id)
        if not entry.follow_up_due:
            raise ApplicationError(_("This entry has no follow-up."))
        if entry.follow_up_done_at is None:
            entry.follow_up_done_at = timezone.now()
            entry.save(update_fields=["follow_up_done_at"])
            _audit(context, AuditAction.UPDATE, entry, "Follow-up done")
    return entry


# --- engagements and registrations --------------------------------------------------------------
def _check_logistics(
    *,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    registration_closes_at: datetime,
    venue: str,
    call_in: str,
    capacity: int,
) -> None:
    check_event_time(starts_at, time_zone, "start")
    check_event_time(ends_at, time_zone, "end")
    check_event_time(registration_closes_at, time_zone, "registration close")
    if ends_at <= starts_at:
        raise ApplicationError(_("The engagement ends before it starts."), field="end")
    if registration_closes_at > ends_at:
        raise ApplicationError(_("Registration must close before the engagement ends."), field="closes")
    if not (venue.strip() or call_in.strip()):
        raise ApplicationError(_("Give a place or a call-in / web link."), field="venue")
    if capacity < 1:
        raise ApplicationError(_("Capacity must be at least 1."), field="capacity")


def _check_texts(*, language: str, title_es: str, description: str, description_es: str) -> None:
    """An engagement held in Spanish (or in both languages) is announced in Spanish too; an English-only
    one may still have a Spanish title for the Spanish public pages."""
    if language not in EngagementLanguage.values:
        raise ApplicationError(_("Unknown language %(value)s.") % {"value": language}, field="language")
    if language == EngagementLanguage.ENGLISH:
        return
    if not title_es.strip():
        raise ApplicationError(_("An engagement held in Spanish needs its title in Spanish."), field="title_es")
    if description.strip() and not description_es.strip():
        raise ApplicationError(
            _("An engagement held in Spanish needs its description in Spanish."), field="description_es"
        )


def _check_place(*, region: str, district: str, state: str) -> str:
    """The region from the agency's list (the district's own when only the district is given)."""
    if district and district not in DISTRICT_REGION:
        raise ApplicationError(_("Choose the district from the list."), field="district")
    if region and region not in REGIONS:
        raise ApplicationError(_("Choose the region from the list."), field="region")
    if district and region and DISTRICT_REGION[district] != region:
        raise ApplicationError(
            _("The %(district)s district is not in that region.") % {"district": district}, field="district"
        )
    if state and state not in US_STATE_NAMES:
        raise ApplicationError(_("Choose the state from the list."), field="state")
    return region or DISTRICT_REGION.get(district, "")


def engagement_create(
    *,
    context: AuditContext,
    organiser,
    title: str,
    kind: str,
    starts_at: datetime,
    ends_at: datetime,
    time_zone: str,
    capacity: int,
    registration_closes_at: datetime,
    topic_code: str,
    description: str = "",
    venue: str = "",
    address: str = "",
    call_in: str = "",
    audience: str = "",
    language: str = EngagementLanguage.ENGLISH,
    region: str = "",
    district: str = "",
    partner_ids: Iterable[int] = (),
    title_es: str = "",
    description_es: str = "",
    state: str = "",
) -> Engagement:
    """A new engagement, as a draft: staff see it, the public does not until it is published."""
    if kind not in EngagementType.values:
        raise ApplicationError(_("Unknown engagement type %(value)s.") % {"value": kind}, field="kind")
    _check_texts(language=language, title_es=title_es, description=description, description_es=description_es)
    region, district, state = region.strip(), district.strip(), state.strip().upper()
    region = _check_place(region=region, district=district, state=state)
    _check_logistics(
        starts_at=starts_at, ends_at=ends_at, time_zone=time_zone, registration_closes_at=registration_closes_at,
        venue=venue, call_in=call_in, capacity=capacity,
    )  # fmt: skip
    engagement = Engagement(
        organiser=organiser,
        title=title.strip(),
        kind=kind,
        description=description,
        starts_at=starts_at,
        ends_at=ends_at,
        time_zone=time_zone,
        capacity=capacity,
        registration_closes_at=registration_closes_at,
        topic=_topic(topic_code),
        venue=venue.strip(),
        address=address.strip(),
        call_in=call_in.strip(),
        audience=audience.strip(),
        language=language,
        region=region,
        district=district,
        state=state,
        title_es=title_es.strip(),
        description_es=description_es,
        status=EngagementStatus.DRAFT,
    )
    with transaction.atomic():
        _save(engagement)
        partners = list(Organisation.objects.filter(pk__in=list(partner_ids)))
        engagement.partners.set(partners)
        _audit(
            context,
            AuditAction.CREATE,
            engagement,
            f"{engagement.get_kind_display()} {engagement.title} on {starts_at.isoformat()} ({time_zone}), draft",
        )
    return engagement


def engagement_publish(*, context: AuditContext, engagement_id: int) -> Engagement:
    """Put a draft on the public pages and open its registration."""
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().filter(pk=engagement_id).first()
        if engagement is None:
            raise ApplicationError(_("There is no such engagement."))
        if "publish" not in selectors.engagement_allowed_actions(engagement=engagement, user=context.actor):
            raise ApplicationError(
                _("This engagement is cancelled.")
                if engagement.cancelled_at is not None
                else _("This engagement is already published.")
            )
        _check_texts(
            language=engagement.language, title_es=engagement.title_es, description=engagement.description,
            description_es=engagement.description_es,
        )  # fmt: skip
        engagement.status, engagement.published_at = EngagementStatus.PUBLISHED, timezone.now()
        _save(engagement, update_fields=["status", "published_at", "updated_at"])
        _audit(context, AuditAction.UPDATE, engagement, f"Engagement #{engagement.pk} published")
    return engagement


def _tell_registrants(engagement: Engagement, task_name: str) -> None:
    """After commit, one task per person registered or waitlisted (each send guards itself)."""
    for registration_id in engagement.registrations.exclude(status=RegistrationStatus.CANCELLED).values_list(
        "pk", flat=True
    ):
        enqueue_on_commit(task_name, registration_id=registration_id)


def engagement_update(
    *,
    context: AuditContext,
    engagement_id: int,
    title: str,
    description: str,
    starts_at: datetime,
    ends_at: datetime,
    registration_closes_at: datetime,
    venue: str,
    address: str,
    call_in: str,
    capacity: int,
    title_es: str | None = None,
    description_es: str | None = None,
) -> Engagement:
    """Reschedule, move, rename or resize an engagement. Calendars get a new SEQUENCE and everyone
    registered or waitlisted is e-mailed the new details once; more seats go to the waitlist first."""
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().filter(pk=engagement_id).first()
        if engagement is None:
            raise ApplicationError(_("There is no such engagement."))
        if engagement.cancelled_at is not None:
            raise ApplicationError(_("This engagement is already cancelled."))
        _check_logistics(
            starts_at=starts_at, ends_at=ends_at, time_zone=engagement.time_zone,
            registration_closes_at=registration_closes_at, venue=venue, call_in=call_in, capacity=capacity,
        )  # fmt: skip
        title_es = engagement.title_es if title_es is None else title_es.strip()
        description_es = engagement.description_es if description_es is None else description_es
        _check_texts(
            language=engagement.language, title_es=title_es, description=description, description_es=description_es
        )
        seated = engagement.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        if capacity < seated:
            raise ApplicationError(
                _("%(count)s people already have a seat: the capacity cannot go below that.") % {"count": seated},
                field="capacity",
            )
        values = {
            "title": title.strip(),
            "description": description,
            "title_es": title_es,
            "description_es": description_es,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "registration_closes_at": registration_closes_at,
            "venue": venue.strip(),
            "address": address.strip(),
            "call_in": call_in.strip(),
            "capacity": capacity,
        }
        changed = [field for field, value in values.items() if getattr(engagement, field) != value]
        if not changed:
            return engagement
        for field, value in values.items():
            setattr(engagement, field, value)
        # Calendars and registrants hear of what they hold (title, time, place), not of the seat count.
        told = any(field != "capacity" for field in changed)
        engagement.sequence += 1 if told else 0
        _save(engagement, update_fields=[*changed, "sequence", "updated_at"])
        _audit(context, AuditAction.UPDATE, engagement, f"Engagement #{engagement.pk} changed: {', '.join(changed)}")
        if capacity > seated:
            _promote_waitlisted(context, engagement_id=engagement.pk, seats=capacity - seated)
        if told:
            _tell_registrants(engagement, "outreach.registration_change_notice_send")
    return engagement


def registration_change_notice_send(*, registration_id: int) -> bool:
    """Tell one registrant the engagement's new time or place, once per change."""
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("engagement").filter(pk=registration_id).first()
        )
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            return False
        engagement = registration.engagement
        if engagement.cancelled_at is not None or registration.notified_sequence >= engagement.sequence:
            return False
        _mail(
            template="changed",
            language=registration.language,
            to=registration.email,
            subject_context=_mail_context(registration),
            message_id=mail_message_id("registration-change", registration.pk, engagement.sequence),
        )
        registration.notified_sequence = engagement.sequence
        registration.mail_failed_at, registration.mail_error = None, ""
        registration.save(update_fields=["notified_sequence", "mail_failed_at", "mail_error"])
    return True


def engagement_cancel(
    *, context: AuditContext, engagement_id: int, reason: str, now: datetime | None = None
) -> Engagement:
    """Call an engagement off: registration stops, calendars get the cancellation, and everyone
    registered or waitlisted is told once, after commit, in their own language."""
    now = now or timezone.now()
    if not reason.strip():
        raise ApplicationError(_("Say why the engagement is cancelled: registrants will read it."), field="reason")
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().filter(pk=engagement_id).first()
        if engagement is None:
            raise ApplicationError(_("There is no such engagement."))
        if engagement.cancelled_at is not None:
            raise ApplicationError(_("This engagement is already cancelled."))
        if engagement.ends_at <= now:
            raise ApplicationError(_("This engagement is over; it cannot be cancelled."))
        engagement.cancelled_at = now
        engagement.cancellation_reason = reason.strip()
        engagement.sequence += 1
        _save(engagement, update_fields=["cancelled_at", "cancellation_reason", "sequence", "updated_at"])
        _audit(context, AuditAction.UPDATE, engagement, f"Engagement #{engagement.pk} cancelled")
        _tell_registrants(engagement, "outreach.registration_cancellation_notice_send")
    return engagement


def registration_cancellation_notice_send(*, registration_id: int) -> bool:
    """Tell one registrant their engagement is called off; a second run sends nothing."""
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("engagement").filter(pk=registration_id).first()
        )
        if (
            registration is None
            or registration.engagement.cancelled_at is None
            or registration.cancellation_notice_sent_at is not None
            or registration.status == RegistrationStatus.CANCELLED
        ):
            return False
        _mail(
            template="cancelled",
            message_id=mail_message_id("registration-cancellation", registration.pk),
            language=registration.language,
            to=registration.email,
            subject_context=_mail_context(registration),
        )
        registration.cancellation_notice_sent_at = timezone.now()
        registration.mail_failed_at, registration.mail_error = None, ""
        registration.save(update_fields=["cancellation_notice_sent_at", "mail_failed_at", "mail_error"])
    return True


def registrations_change_notice_pending(*, older_than_seconds: int = 60) -> list[int]:
    """Notices of a change whose task never reached the broker (for the sweep)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Registration.objects.exclude(status=RegistrationStatus.CANCELLED)
        .filter(
            mail_failed_at__isnull=True,
            notified_sequence__lt=F("engagement__sequence"),
            engagement__cancelled_at__isnull=True,
            engagement__updated_at__lt=cutoff,
            engagement__ends_at__gt=timezone.now(),
        )
        .values_list("pk", flat=True)[:500]
    )


def registrations_cancellation_notice_pending(*, older_than_seconds: int = 60) -> list[int]:
    """Notices of a cancelled engagement whose task never reached the broker (for the sweep)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Registration.objects.exclude(status=RegistrationStatus.CANCELLED)
        .filter(
            mail_failed_at__isnull=True,
            engagement__cancelled_at__lt=cutoff,
            engagement__ends_at__gt=timezone.now(),
            cancellation_notice_sent_at__isnull=True,
        )
        .values_list("pk", flat=True)[:500]
    )


def _send_confirmation_soon(registration_id: int) -> None:
    enqueue_on_commit("outreach.registration_confirmation_send", registration_id=registration_id)


def registration_create(
    *,
    context: AuditContext,
    engagement_id: int,
    name: str,
    email: str,
    phone: str = "",
    organisation_name: str = "",
    language: str = Language.ENGLISH,
    accommodation: str = "",
    interpreter_language: str = "",
    now: datetime | None = None,
) -> Registration:
    """Register a person; over capacity they join the waitlist. The engagement row is locked so
    two people cannot take the last seat at once."""
    now = now or timezone.now()
    email, phone = normalize_email(email), normalize_phone(phone)
    if not email:
        raise ApplicationError(_("Give an e-mail address for the confirmation."), field="email")
    if not name.strip():
        raise ApplicationError(_("Give your name."), field="name")
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().filter(pk=engagement_id).first()
        if engagement is None or engagement.status != EngagementStatus.PUBLISHED:
            raise ApplicationError(_("There is no such engagement."))
        if engagement.cancelled_at is not None:
            raise ApplicationError(_("This engagement has been cancelled."), extra={"code": "cancelled"})
        if now >= engagement.registration_closes_at:
            raise ApplicationError(_("Registration for this engagement is closed."), extra={"code": "closed"})
        live = engagement.registrations.exclude(status=RegistrationStatus.CANCELLED)
        if live.filter(email=email).exists():
            raise ApplicationError(_("This e-mail address is already registered for this engagement."), field="email")
        seated = live.filter(status=RegistrationStatus.REGISTERED).count()
        registration = Registration(
            engagement=engagement,
            name=name.strip(),
            email=email,
            phone=phone,
            organisation_name=organisation_name.strip(),
            language=language if language in Language.values else Language.ENGLISH,
            accommodation=accommodation.strip(),
            interpreter_language=interpreter_language.strip(),
            status=RegistrationStatus.REGISTERED if seated < engagement.capacity else RegistrationStatus.WAITLISTED,
            created_at=now,
            notified_sequence=engagement.sequence,
        )
        _save(registration)
        _audit(
            context,
            AuditAction.CREATE,
            registration,
            f"Registration #{registration.pk} for engagement #{engagement.pk}: {registration.status}",
        )
        _send_confirmation_soon(registration.pk)
    return registration


def registration_cancel_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk, "e": registration.engagement_id}, salt=CANCEL_SALT)


def registration_from_token(token: str) -> Registration | None:
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        return None
    return (
        Registration.objects.select_related("engagement").filter(pk=data.get("r"), engagement_id=data.get("e")).first()
    )


def registration_cancel(*, context: AuditContext, registration_id: int) -> Registration:
    """Cancel a registration; a seat freed goes to the first on the waitlist, who is told (unless the
    engagement itself is cancelled: there is no seat to give)."""
    with transaction.atomic():
        registration = Registration.objects.get(pk=registration_id)
        engagement = Engagement.objects.select_for_update().get(pk=registration.engagement_id)
        registration = Registration.objects.select_for_update().get(pk=registration_id)
        if "cancel" not in selectors.registration_allowed_actions(registration=registration, user=context.actor):
            return registration
        freed = registration.status == RegistrationStatus.REGISTERED
        registration.status = RegistrationStatus.CANCELLED
        _save(registration, update_fields=["status", "updated_at"])
        _audit(context, AuditAction.UPDATE, registration, f"Registration #{registration.pk} cancelled")
        if freed and engagement.cancelled_at is None:
            _promote_waitlisted(context, engagement_id=engagement.pk, seats=1)
    return registration


def _promote_waitlisted(context: AuditContext, *, engagement_id: int, seats: int) -> None:
    """Free seats go to the waitlist in the order people joined it; each is told. Call it with the
    engagement row locked."""
    promoted = (
        Registration.objects.select_for_update()
        .filter(engagement_id=engagement_id, status__in=REGISTRATION.sources("promote"))
        .order_by("created_at", "id")[: max(seats, 0)]
    )
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        _save(registration, update_fields=["status", "updated_at"])
        _audit(context, AuditAction.UPDATE, registration, f"Registration #{registration.pk} moved off the waitlist")
        _send_confirmation_soon(registration.pk)


def _absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL + path


def _mail(*, template: str, language: str, to: str, subject_context: dict, message_id: str) -> None:
    with translation.override(language):
        subject = render_to_string(f"outreach/email/{template}_subject.txt", subject_context).strip()
        body = render_to_string(f"outreach/email/{template}.txt", subject_context)
    EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [to], headers={"Message-ID": message_id}).send()


def _mail_context(registration: Registration, **extra) -> dict:
    engagement = registration.engagement
    return {
        "registration": registration,
        "engagement": engagement,
        # Spanish registrants read the Spanish title when there is one.
        "engagement_title": engagement.title_in(registration.language),
        "starts_local": timezone.localtime(engagement.starts_at, ZoneInfo(engagement.time_zone)),
        "cancel_url": _absolute(
            reverse("outreach:registration-cancel", args=[registration_cancel_token(registration)])
        ),
        "ics_url": _absolute(reverse("outreach:engagement-ics", args=[engagement.pk])),
        "list_url": _absolute(reverse("outreach:engagement-list-public")),
        **extra,
    }


def registration_confirmation_send(*, registration_id: int) -> bool:
    """E-mail the registrant the status they now have (seat or waitlist), once per status; nothing
    once the engagement is cancelled (the cancellation notice tells them)."""
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("engagement").filter(pk=registration_id).first()
        )
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            return False
        if registration.engagement.cancelled_at is not None:
            return False
        if registration.confirmed_status == registration.status:
            return False
        _mail(
            template="registration",
            message_id=mail_message_id("registration-confirmation", registration.pk, registration.status),
            language=registration.language,
            to=registration.email,
            subject_context=_mail_context(
                registration, waitlisted=registration.status == RegistrationStatus.WAITLISTED
            ),
        )
        registration.confirmation_sent_at = timezone.now()
        registration.confirmed_status = registration.status
        registration.mail_failed_at, registration.mail_error = None, ""
        registration.save(update_fields=["confirmation_sent_at", "confirmed_status", "mail_failed_at", "mail_error"])
    return True


def registrations_confirmation_pending(*, older_than_seconds: int = 60) -> list[int]:
    """Confirmations whose task never reached the broker (for the sweep)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Registration.objects.exclude(status=RegistrationStatus.CANCELLED)
        .exclude(confirmed_status=F("status"))
        .filter(updated_at__lt=cutoff, engagement__cancelled_at__isnull=True, mail_failed_at__isnull=True)
        .values_list("pk", flat=True)[:500]
    )


def registrations_reminder_due(*, now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Registration.objects.filter(
            status=RegistrationStatus.REGISTERED,
            reminder_sent_at__isnull=True,
            engagement__cancelled_at__isnull=True,
            engagement__starts_at__gt=now,
            engagement__starts_at__lte=now + timedelta(hours=settings.OUTREACH_REMINDER_LEAD_HOURS),
        ).values_list("pk", flat=True)
    )


def registration_reminder_send(*, registration_id: int, now: datetime | None = None) -> bool:
    """One reminder per registration, the day before; a second run sends nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().select_related("engagement").filter(pk=registration_id).first()
        )
        if registration is None or registration.reminder_sent_at is not None:
            return False
        if registration.status != RegistrationStatus.REGISTERED or registration.engagement.starts_at <= now:
            return False
        if registration.engagement.cancelled_at is not None:
            return False
        _mail(
            template="reminder",
            message_id=mail_message_id("registration-reminder", registration.pk),
            language=registration.language,
            to=registration.email,
            subject_context=_mail_context(registration),
        )
        registration.reminder_sent_at = now
        registration.mail_failed_at, registration.mail_error = None, ""
        registration.save(update_fields=["reminder_sent_at", "mail_failed_at", "mail_error"])
    return True


def attendance_ensure_open(*, engagement: Engagement) -> None:
    """Attendance is taken once an engagement has begun: before that, refused with one message
    (the same whether a box was ticked or the form was sent empty)."""
    if not attendance_open(engagement):
        raise ApplicationError(
            _("This engagement has not started yet: attendance can be recorded once it has begun."),
            extra={"code": "not_started"},
        )


def attendance_record(*, context: AuditContext, registration_id: int, attended: bool) -> Registration:
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("engagement").get(pk=registration_id)
        attendance_ensure_open(engagement=registration.engagement)
        if "attend" not in selectors.registration_allowed_actions(registration=registration, user=context.actor):
            raise ApplicationError(_("Only a registered person (not waitlisted or cancelled) can attend."))
        registration.attended = attended
        registration.save(update_fields=["attended", "updated_at"])
        _audit(context, AuditAction.UPDATE, registration, f"Registration #{registration.pk} attended: {attended}")
    return registration


# --- feedback -----------------------------------------------------------------------------------
# Free text typed at an event may carry a receipt number or an A-number: outreach keeps none, so
# identifiers are masked before they are stored (the case belongs with the contact center).
def feedback_record(
    *,
    context: AuditContext,
    recorded_by,
    source: str,
    topic_code: str,
    summary: str,
    detail: str = "",
    engagement_id: int | None = None,
    organisation_id: int | None = None,
    received_at: datetime | None = None,
) -> FeedbackItem:
    if source not in FeedbackSource.values:
        raise ApplicationError(_("Unknown feedback source %(value)s.") % {"value": source}, field="source")
    if source == FeedbackSource.ENGAGEMENT and not engagement_id:
        raise ApplicationError(_("Feedback from an engagement names the engagement."), field="engagement")
    if source == FeedbackSource.PARTNER and not organisation_id:
        raise ApplicationError(_("Feedback from a partner names the partner."), field="organisation")
    item = FeedbackItem(
        recorded_by=recorded_by,
        source=source,
        topic=_topic(topic_code),
        summary=mask_pii(summary.strip()),
        detail=mask_pii(detail),
        engagement_id=engagement_id,
        organisation_id=organisation_id,
        received_at=received_at or timezone.now(),
    )
    with transaction.atomic():
        _save(item)
        _audit(context, AuditAction.CREATE, item, f"Feedback #{item.pk} on {item.topic.code}")
    return item


def _feedback_locked(feedback_id: int) -> FeedbackItem:
    return FeedbackItem.objects.select_for_update().get(pk=feedback_id)


def feedback_route(*, context: AuditContext, feedback_id: int, owning_office: str) -> FeedbackItem:
    """Route to the owning office: new → under review (re-routing while under review is allowed)."""
    if owning_office not in AgencyOffice.values:
        raise ApplicationError(_("Unknown office %(value)s.") % {"value": owning_office}, field="owning_office")
    with transaction.atomic():
        item = _feedback_locked(feedback_id)
        if "route" not in selectors.feedback_allowed_actions(item=item, user=context.actor):
            raise ApplicationError(_("This feedback already has a response; it can no longer be re-routed."))
        item.owning_office, item.status, item.routed_at = owning_office, FeedbackStatus.UNDER_REVIEW, timezone.now()
        # New in the office's inbox: unread, and its members are owed a notice.
        item.office_opened_at = item.office_notified_at = None
        fields = ["owning_office", "status", "routed_at", "office_opened_at", "office_notified_at", "updated_at"]
        _save(item, update_fields=fields)
        _audit(context, AuditAction.UPDATE, item, f"Feedback #{item.pk} routed to {owning_office}")
        enqueue_on_commit("outreach.feedback_routed_notice_send", feedback_id=item.pk)
    return item


def feedback_routed_notice_send(*, feedback_id: int) -> bool:
    """E-mail the owning office's members that feedback was routed to them, once per routing."""
    with transaction.atomic():
        item = FeedbackItem.objects.select_for_update().select_related("topic").filter(pk=feedback_id).first()
        if item is None or not item.owning_office or item.routed_at is None:
            return False
        if item.office_notified_at is not None and item.office_notified_at >= item.routed_at:
            return False
        recipients = sorted(
            {
                email.lower()
                for email in AgencyOfficeMembership.objects.filter(
                    office=item.owning_office, user__is_active=True
                ).values_list("user__email", flat=True)
                if email
            }
        )
        if recipients:
            with translation.override(settings.LANGUAGE_CODE):
                context = {
                    "item": item,
                    "office": item.get_owning_office_display(),
                    "inbox_url": _absolute(reverse("outreach:office-inbox-item", args=[item.pk])),
                }
                subject = render_to_string("outreach/email/feedback_routed_subject.txt", context).strip()
                body = render_to_string("outreach/email/feedback_routed.txt", context)
            EmailMessage(
                subject,
                body,
                settings.DEFAULT_FROM_EMAIL,
                recipients,
                headers={"Message-ID": mail_message_id("feedback-routed", item.pk, int(item.routed_at.timestamp()))},
            ).send()
        item.office_notified_at = timezone.now()
        item.save(update_fields=["office_notified_at"])
    return bool(recipients)


def feedback_routed_notice_give_up(*, feedback_id: int, reason: str) -> None:
    """The notice was not delivered after its last try: the sweep stops resending it; the office's
    inbox still counts the item unread."""
    with transaction.atomic():
        item = FeedbackItem.objects.select_for_update().filter(pk=feedback_id).first()
        if item is None:
            return
        item.office_notified_at = timezone.now()
        item.save(update_fields=["office_notified_at"])
        _audit(
            AuditContext.system(AuditChannel.TASK),
            AuditAction.UPDATE,
            item,
            f"Routing notice for feedback #{item.pk} not delivered after its last try",
            reason=reason[:300],
        )


def feedback_routed_notices_pending(*, older_than_seconds: int = 60) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        FeedbackItem.objects.filter(routed_at__lt=cutoff)
        .exclude(owning_office="")
        .filter(Q(office_notified_at__isnull=True) | Q(office_notified_at__lt=F("routed_at")))
        .values_list("pk", flat=True)[:500]
    )


def feedback_office_open(*, context: AuditContext, feedback_id: int) -> FeedbackItem:
    """A member of the owning office opened the item: it is read in that office's inbox."""
    with transaction.atomic():
        item = _feedback_locked(feedback_id)
        if item.office_opened_at is None:
            item.office_opened_at = timezone.now()
            item.save(update_fields=["office_opened_at"])
            _audit(context, AuditAction.UPDATE, item, f"Feedback #{item.pk} opened by its office")
    return item


def agency_office_membership_add(*, context: AuditContext, user, office: str) -> AgencyOfficeMembership:
    if office not in AgencyOffice.values:
        raise ApplicationError(_("Unknown office %(value)s.") % {"value": office}, field="office")
    with transaction.atomic():
        membership, created = AgencyOfficeMembership.objects.get_or_create(user=user, office=office)
        if created:
            _audit(context, AuditAction.CREATE, membership, f"User #{user.pk} answers feedback for {office}")
    return membership


def feedback_respond(*, context: AuditContext, feedback_id: int, response: str) -> FeedbackItem:
    """Record the owning office's answer: under review → response drafted (redrafting allowed)."""
    if not response.strip():
        raise ApplicationError(_("Write the agency's response."), field="response")
    with transaction.atomic():
        item = _feedback_locked(feedback_id)
        if "respond" not in selectors.feedback_allowed_actions(item=item, user=context.actor):
            if item.status == FeedbackStatus.NEW:
                raise ApplicationError(_("Route the feedback to its owning office before answering it."))
            if item.status == FeedbackStatus.REPORTED_BACK:
                raise ApplicationError(_("This feedback was already reported back."))
            raise ApplicationError(_("Only the owning office answers this feedback."))
        item.response, item.status, item.responded_at, item.responded_by = (
            # Published as written (report back, its public page, the e-mail): the agency's own
            # telephone numbers stay; a receipt number or A-number, a person's case, does not.
            mask_case_identifiers(response.strip()),
            FeedbackStatus.RESPONSE_DRAFTED,
            timezone.now(),
            context.actor,
        )
        _save(item, update_fields=["response", "status", "responded_at", "responded_by", "updated_at"])
        _audit(context, AuditAction.UPDATE, item, f"Feedback #{item.pk}: response drafted")
    return item


# --- report back --------------------------------------------------------------------------------
def _send_delivery_soon(delivery_id: int) -> None:
    enqueue_on_commit("outreach.report_back_delivery_send", delivery_id=delivery_id)


def report_back_publish(*, context: AuditContext, engagement_id: int, introduction: str = "") -> ReportBack:
    """Publish what was heard and answered, mark that feedback reported back, and e-mail each
    attendee once (a second publish adds only attendees not yet sent to)."""
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().get(pk=engagement_id)
        if engagement.ends_at > timezone.now():
            raise ApplicationError(
                _("This engagement has not taken place yet: publish the report back after it has ended."),
                extra={"code": "not_ended"},
            )
        items = list(FeedbackItem.objects.select_for_update().filter(engagement=engagement))
        if not items:
            raise ApplicationError(_("No feedback was recorded for this engagement: there is nothing to report back."))
        reportable = FEEDBACK.sources("report_back") | {FeedbackStatus.REPORTED_BACK}
        waiting = [item for item in items if item.status not in reportable]
        if waiting:
            raise ApplicationError(
                _("%(count)s feedback item(s) have no agency response yet: answer them before reporting back.")
                % {"count": len(waiting)}
            )
        attendees = list(engagement.registrations.filter(status=RegistrationStatus.REGISTERED, attended=True))
        if not attendees:
            raise ApplicationError(_("Record attendance first: the report back goes to the people who attended."))
        report, _created = ReportBack.objects.get_or_create(engagement=engagement)
        report.introduction = introduction.strip() or report.introduction
        report.published_at, report.published_by = timezone.now(), context.actor
        report.save(update_fields=["introduction", "published_at", "published_by"])
        now = timezone.now()
        for item in items:
            if "report_back" in selectors.feedback_allowed_actions(item=item, user=None):
                item.status, item.reported_back_at = FeedbackStatus.REPORTED_BACK, now
                item.save(update_fields=["status", "reported_back_at", "updated_at"])
        created = 0
        for registration in attendees:
            delivery, made = ReportBackDelivery.objects.get_or_create(
                report=report, registration=registration, defaults={"email": registration.email}
            )
            if made:
                created += 1
                _send_delivery_soon(delivery.pk)
        _audit(
            context,
            AuditAction.UPDATE,
            report,
            f"Report back for engagement #{engagement.pk} published to {created} new attendee(s)",
        )
    return report


def report_back_delivery_send(*, delivery_id: int) -> bool:
    with transaction.atomic():
        delivery = (
            ReportBackDelivery.objects.select_for_update()
            .select_related("report__engagement", "registration")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.sent_at is not None:
            return False
        engagement = delivery.report.engagement
        _mail(
            template="report_back",
            message_id=mail_message_id("report-back", delivery.pk),
            language=delivery.registration.language,
            to=delivery.email,
            subject_context={
                "engagement": engagement,
                "engagement_title": engagement.title_in(delivery.registration.language),
                "report": delivery.report,
                "items": list(selectors.feedback_reported_back(engagement=engagement)),
                "report_url": _absolute(reverse("outreach:report-public", args=[engagement.uid])),
            },
        )
        delivery.sent_at, delivery.failed_at, delivery.error = timezone.now(), None, ""
        delivery.save(update_fields=["sent_at", "failed_at", "error"])
    return True


def report_back_deliveries_pending(*, older_than_seconds: int = 60) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        ReportBackDelivery.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )


def registration_mail_give_up(*, registration_id: int, reason: str) -> None:
    """An e-mail to a registrant was not delivered after its last try: the engagement page says so."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().filter(pk=registration_id).first()
        if registration is None:
            return
        registration.mail_failed_at, registration.mail_error = timezone.now(), reason[:300]
        registration.save(update_fields=["mail_failed_at", "mail_error"])
        _audit(
            AuditContext.system(AuditChannel.TASK),
            AuditAction.UPDATE,
            registration,
            f"E-mail to registration #{registration.pk} not delivered after its last try",
        )


def report_back_delivery_give_up(*, delivery_id: int, reason: str) -> None:
    with transaction.atomic():
        delivery = ReportBackDelivery.objects.select_for_update().filter(pk=delivery_id, sent_at__isnull=True).first()
        if delivery is None:
            return
        delivery.failed_at, delivery.error = timezone.now(), reason[:300]
        delivery.save(update_fields=["failed_at", "error"])
        _audit(
            AuditContext.system(AuditChannel.TASK),
            AuditAction.UPDATE,
            delivery,
            f"Report back e-mail #{delivery.pk} not delivered after its last try",
        )


def mail_send_again(*, context: AuditContext, engagement_id: int) -> int:
    """Staff send again every e-mail of this engagement that was given up on: the failure marks are
    cleared and the sends queued; each send is guarded, so nothing already delivered goes twice."""
    queued = 0
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().get(pk=engagement_id)
        for registration in Registration.objects.select_for_update().filter(
            engagement=engagement, mail_failed_at__isnull=False
        ):
            registration.mail_failed_at, registration.mail_error = None, ""
            registration.save(update_fields=["mail_failed_at", "mail_error"])
            for task_name in (
                "outreach.registration_confirmation_send",
                "outreach.registration_change_notice_send",
                "outreach.registration_cancellation_notice_send",
            ):
                enqueue_on_commit(task_name, registration_id=registration.pk)
            queued += 1
        for delivery in ReportBackDelivery.objects.select_for_update().filter(
            report__engagement=engagement, failed_at__isnull=False, sent_at__isnull=True
        ):
            delivery.failed_at, delivery.error = None, ""
            delivery.save(update_fields=["failed_at", "error"])
            _send_delivery_soon(delivery.pk)
            queued += 1
        for delivery in EngagementMessageDelivery.objects.select_for_update().filter(
            message__engagement=engagement, failed_at__isnull=False, sent_at__isnull=True
        ):
            delivery.failed_at, delivery.error = None, ""
            delivery.save(update_fields=["failed_at", "error"])
            enqueue_on_commit("outreach.engagement_message_delivery_send", delivery_id=delivery.pk)
            queued += 1
        if queued:
            _audit(context, AuditAction.UPDATE, engagement, f"{queued} undelivered e-mail(s) sent again")
    return queued


# --- report back to partners --------------------------------------------------------------------
def _send_partner_delivery_soon(delivery_id: int) -> None:
    enqueue_on_commit("outreach.partner_report_back_delivery_send", delivery_id=delivery_id)


def partner_report_back_publish(
    *,
    context: AuditContext,
    organisation_id: int | None = None,
    period_start: date | None = None,
    period_end: date | None = None,
    introduction: str = "",
) -> PartnerReportBack:
    """Report answered feedback back to one organisation's contacts, or to the contacts of every
    partner with feedback heard in a period: the items move to reported back, and each address that
    agreed to e-mail is sent the report once."""
    if (period_start is None) != (period_end is None):
        raise ApplicationError(_("Give both ends of the period."), field="period_end")
    if organisation_id is None and not (period_start and period_end):
        raise ApplicationError(
            _("Choose an organization, or a period to report back to every partner with feedback in it."),
            field="organisation",
        )
    if period_start and period_end and period_end < period_start:
        raise ApplicationError(_("The end date is before the start date."), field="period_end")
    with transaction.atomic():
        items_qs = FeedbackItem.objects.select_for_update().filter(organisation__isnull=False)
        if organisation_id is not None:
            organisation = Organisation.objects.filter(pk=organisation_id).first()
            if organisation is None:
                raise ApplicationError(_("Unknown organization."), field="organisation")
            items_qs = items_qs.filter(organisation=organisation)
        if period_start and period_end:
            zone = timezone.get_current_timezone()
            items_qs = items_qs.filter(
                received_at__gte=datetime.combine(period_start, time.min, tzinfo=zone),
                received_at__lt=datetime.combine(period_end + timedelta(days=1), time.min, tzinfo=zone),
            )
        answered = FEEDBACK.sources("report_back") | {FeedbackStatus.REPORTED_BACK}
        items = [item for item in items_qs.order_by("received_at", "pk") if item.status in answered]
        if not items:
            raise ApplicationError(_("No answered feedback from partners to report back: answer it first."))
        contacts = list(
            Contact.objects.filter(
                memberships__organisation_id__in={item.organisation_id for item in items},
                merged_into__isnull=True,
                consent_email=True,
            )
            .exclude(email="")
            .exclude(preferred_channel=PreferredChannel.NONE)
            .distinct()
            .order_by("pk")
        )
        if not contacts:
            raise ApplicationError(_("No contact of these partners agreed to e-mail: there is no one to send it to."))
        report = PartnerReportBack(
            organisation_id=organisation_id,
            period_start=period_start,
            period_end=period_end,
            introduction=introduction.strip(),
            published_by=context.actor,
        )
        _save(report)
        report.items.set(items)
        now = timezone.now()
        for item in items:
            if "report_back" in selectors.feedback_allowed_actions(item=item, user=None):
                item.status, item.reported_back_at = FeedbackStatus.REPORTED_BACK, now
                item.save(update_fields=["status", "reported_back_at", "updated_at"])
        sent_to: set[str] = set()
        for contact in contacts:
            if contact.email in sent_to:
                continue
            sent_to.add(contact.email)
            delivery = PartnerReportBackDelivery.objects.create(
                report=report, contact=contact, email=contact.email, language=contact.preferred_language
            )
            _send_partner_delivery_soon(delivery.pk)
        _audit(
            context,
            AuditAction.CREATE,
            report,
            f"Report back #{report.pk} of {len(items)} feedback item(s) published to {len(sent_to)} contact(s)",
        )
    return report


def partner_report_back_delivery_send(*, delivery_id: int) -> bool:
    with transaction.atomic():
        delivery = (
            PartnerReportBackDelivery.objects.select_for_update(of=("self",))
            .select_related("report", "report__organisation")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.sent_at is not None:
            return False
        _mail(
            template="partner_report_back",
            message_id=mail_message_id("partner-report-back", delivery.pk),
            language=delivery.language,
            to=delivery.email,
            subject_context={
                "report": delivery.report,
                "items": list(selectors.partner_report_back_items(report=delivery.report)),
            },
        )
        delivery.sent_at, delivery.failed_at, delivery.error = timezone.now(), None, ""
        delivery.save(update_fields=["sent_at", "failed_at", "error"])
    return True


def partner_report_back_deliveries_pending(*, older_than_seconds: int = 60) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        PartnerReportBackDelivery.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )


def partner_report_back_delivery_give_up(*, delivery_id: int, reason: str) -> None:
    with transaction.atomic():
        delivery = (
            PartnerReportBackDelivery.objects.select_for_update().filter(pk=delivery_id, sent_at__isnull=True).first()
        )
        if delivery is None:
            return
        delivery.failed_at, delivery.error = timezone.now(), reason[:300]
        delivery.save(update_fields=["failed_at", "error"])
        _audit(
            AuditContext.system(AuditChannel.TASK),
            AuditAction.UPDATE,
            delivery,
            f"Partner report back e-mail #{delivery.pk} not delivered after its last try",
        )


# --- programs -----------------------------------------------------------------------------------
PROGRAM_FIELDS = (
    "name", "kind", "goal", "audience", "starts_on", "ends_on", "results", "people_reached", "materials_distributed",
)  # fmt: skip


def _program_fill(program: Program, owner, values: dict) -> None:
    if values.get("kind", program.kind) not in ProgramKind.values:
        raise ApplicationError(_("Unknown program kind %(value)s.") % {"value": values["kind"]}, field="kind")
    for name in PROGRAM_FIELDS:
        if name in values:
            value = values[name]
            setattr(program, name, value.strip() if isinstance(value, str) else value)
    program.owner = owner


def program_create(*, context: AuditContext, owner, name: str, starts_on: date, **values) -> Program:
    program = Program()
    _program_fill(program, owner, {"name": name, "starts_on": starts_on, **values})
    with transaction.atomic():
        _save(program)
        _audit(context, AuditAction.CREATE, program, f"Program #{program.pk} created")
    return program


def program_update(*, context: AuditContext, program_id: int, owner, **values) -> Program:
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program_id)
        _program_fill(program, owner, values)
        _save(program)
        _audit(context, AuditAction.UPDATE, program, f"Program #{program.pk} changed")
    return program


def program_engagement_set(
    *, context: AuditContext, program_id: int, engagement_id: int, included: bool = True
) -> Engagement:
    """Put an engagement under a program, or take it out (an engagement belongs to one program)."""
    with transaction.atomic():
        program = Program.objects.select_for_update().get(pk=program_id)
        engagement = Engagement.objects.select_for_update().get(pk=engagement_id)
        if included and engagement.program_id not in (None, program.pk):
            raise ApplicationError(_("This engagement already belongs to another program."), field="engagement")
        if not included and engagement.program_id != program.pk:
            raise ApplicationError(_("This engagement is not part of the program."), field="engagement")
        engagement.program = program if included else None
        # Not through _save: the engagement's own schedule rules are its editor's, not the program's.
        engagement.save(update_fields=["program", "updated_at"])
        _audit(
            context,
            AuditAction.UPDATE,
            program,
            f"Engagement #{engagement.pk} {'added to' if included else 'taken out of'} program #{program.pk}",
        )
    return engagement


# --- case referrals -----------------------------------------------------------------------------
def referral_create(
    *,
    context: AuditContext,
    referred_by,
    person_name: str,
    topic_code: str,
    mode: str,
    consent: bool,
    phone: str = "",
    email: str = "",
    language: str = Language.ENGLISH,
    engagement_id: int | None = None,
    receipt_number: str = "",
    receipt_consent: bool = False,
) -> CaseReferral:
    """Refer a person with a case question to the contact center: a callback in the Tier 1 queue
    or a referral in the interaction ledger, only with their consent. A receipt number the person
    gives is kept only with their consent to that too; it then goes on the ledger entry, so the
    referral shows on that case's history."""
    if not consent:
        raise ApplicationError(
            _("Refer a person only with their consent to be contacted by the contact center."),
            field="consent",
        )
    if mode not in ReferralMode.values:
        raise ApplicationError(_("Unknown referral kind %(value)s.") % {"value": mode}, field="mode")
    phone, email = normalize_phone(phone), normalize_email(email)
    if mode == ReferralMode.CALLBACK and not phone:
        raise ApplicationError(_("A callback needs the person's telephone number."), field="phone")
    if not (phone or email):
        raise ApplicationError(_("Give a telephone number or an e-mail address."), field="phone")
    receipt_number = _referral_receipt(receipt_number, receipt_consent)
    topic = _topic(topic_code)
    language = language if language in Language.values else Language.ENGLISH
    with transaction.atomic():
        referral = CaseReferral(
            referred_by=referred_by,
            person_name=person_name.strip(),
            phone=phone,
            email=email,
            language=language,
            topic=topic,
            mode=mode,
            consent=True,
            consent_recorded_at=timezone.now(),
            receipt_number=receipt_number,
            receipt_consent=bool(receipt_number),
            engagement_id=engagement_id,
        )
        _save(referral)
        referral.interaction = core_services.interaction_record(
            context=context,
            channel=Channel.OUTREACH,
            topic_code=topic.code,
            source_app="outreach",
            source_model="casereferral",
            source_id=referral.pk,
            language=language,
            outcome=Outcome.CALLBACK if mode == ReferralMode.CALLBACK else Outcome.REFERRED,
            contact_phone=phone,
            receipt_numbers=[receipt_number] if receipt_number else [],
            source_url=reverse("outreach:referral-detail", args=[referral.pk]),
            summary=f"Outreach referral with consent ({referral.get_mode_display()})",
            handled_by=referred_by,
        )
        if mode == ReferralMode.CALLBACK:
            referral.callback = core_services.contact_enqueue(
                context=context,
                phone=phone,
                language=language,
                caller_time_zone=caller_time_zone(phone),
                kind=ContactKind.CALLBACK,
                interaction=referral.interaction,
                ivr_path=["outreach-referral"],
            )
        referral.save(update_fields=["interaction", "callback"])
        _audit(context, AuditAction.CREATE, referral, f"Case referral #{referral.pk} ({mode}) with consent")
    return referral


def _referral_receipt(raw: str, consent: bool) -> str:
    """The receipt number normalised as the core writes it; refused without the person's consent."""
    if not (raw or "").strip():
        return ""
    if not consent:
        raise ApplicationError(
            _("Keep the receipt number only if the person agrees: tick their consent, or leave the number out."),
            field="receipt_consent",
        )
    try:
        return normalize_receipt_number(raw)
    except InvalidIdentifier as error:
        raise ApplicationError(str(error), field="receipt_number") from error


# The person wants no call any more: a callback still queued for them is withdrawn. "Could not be
# reached" leaves it to the contact center's own redials.
CALLBACK_NOT_WANTED = frozenset({ReferralOutcome.ANSWERED, ReferralOutcome.WITHDRAWN})


def referral_close(*, context: AuditContext, referral_id: int, outcome: str, note: str = "") -> CaseReferral:
    """Close a referral. Answered or withdrawn: a callback still waiting in the queue is cancelled
    (one already under way or made is left as it is)."""
    if outcome not in ReferralOutcome.values:
        raise ApplicationError(_("Choose how the referral ended."), field="outcome")
    with transaction.atomic():
        referral = CaseReferral.objects.select_for_update().select_related("topic").get(pk=referral_id)
        if "close" not in selectors.referral_allowed_actions(referral=referral, user=context.actor):
            raise ApplicationError(_("This referral is already closed."))
        referral.status, referral.outcome = ReferralStatus.CLOSED, outcome
        # Masked as feedback and the interaction log are: a case number typed here is not kept.
        note = mask_pii(note.strip())[: CaseReferral._meta.get_field("close_note").max_length]
        referral.close_note, referral.closed_at = note, timezone.now()
        _save(referral, update_fields=["status", "outcome", "close_note", "closed_at"])
        core_services.interaction_record(
            context=context,
            channel=Channel.OUTREACH,
            topic_code=referral.topic.code,
            source_app="outreach",
            source_model="casereferral",
            source_id=referral.pk,
            language=referral.language,
            outcome=Outcome.RESOLVED if outcome == ReferralOutcome.ANSWERED else Outcome.ABANDONED,
            contact_phone=referral.phone,
            source_url=reverse("outreach:referral-detail", args=[referral.pk]),
            summary=f"Outreach referral closed: {referral.get_outcome_display()}",
            ended_at=referral.closed_at,
        )
        if referral.callback_id is not None and outcome in CALLBACK_NOT_WANTED:
            core_services.contact_withdraw(
                context=context,
                contact_id=referral.callback_id,
                reason=f"outreach referral #{referral.pk} closed: {outcome}",
                now=referral.closed_at,
            )
        _audit(context, AuditAction.UPDATE, referral, f"Case referral #{referral.pk} closed: {outcome}")
    return referral


# --- messages to registrants ----------------------------------------------------------------------
def engagement_message_send(
    *,
    context: AuditContext,
    engagement_id: int,
    subject: str,
    body: str,
    subject_es: str = "",
    body_es: str = "",
) -> EngagementMessage:
    """A message to everyone registered or waitlisted, e-mailed after commit, once each (one delivery
    row per registrant), in Spanish to those who registered in Spanish when both Spanish texts are given."""
    subject, body, subject_es, body_es = subject.strip(), body.strip(), subject_es.strip(), body_es.strip()
    if not subject:
        raise ApplicationError(_("Write the subject."), field="subject")
    if not body:
        raise ApplicationError(_("Write the message."), field="body")
    if bool(subject_es) != bool(body_es):
        raise ApplicationError(
            _("Give both the Spanish subject and the Spanish message, or neither."),
            field="body_es" if subject_es else "subject_es",
        )
    with transaction.atomic():
        engagement = Engagement.objects.select_for_update().filter(pk=engagement_id).first()
        if engagement is None:
            raise ApplicationError(_("There is no such engagement."))
        registrations = list(engagement.registrations.exclude(status=RegistrationStatus.CANCELLED))
        if not registrations:
            raise ApplicationError(_("No one is registered: there is no one to write to."))
        message = EngagementMessage(
            engagement=engagement, subject=subject, body=body, subject_es=subject_es, body_es=body_es,
            sent_by=context.actor,
        )  # fmt: skip
        _save(message)
        for registration in registrations:
            delivery = EngagementMessageDelivery.objects.create(
                message=message, registration=registration, email=registration.email
            )
            enqueue_on_commit("outreach.engagement_message_delivery_send", delivery_id=delivery.pk)
        _audit(
            context,
            AuditAction.CREATE,
            message,
            f"Message to the {len(registrations)} registrant(s) of engagement #{engagement.pk}",
        )
    return message


def engagement_message_delivery_send(*, delivery_id: int) -> bool:
    with transaction.atomic():
        delivery = (
            EngagementMessageDelivery.objects.select_for_update()
            .select_related("message__engagement", "registration")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.sent_at is not None:
            return False
        language = delivery.registration.language
        subject, body = delivery.message.text_in(language)
        _mail(
            template="message",
            message_id=mail_message_id("engagement-message", delivery.pk),
            language=language,
            to=delivery.email,
            subject_context=_mail_context(
                delivery.registration,
                message_subject=subject,
                message_body=body,
            ),
        )
        delivery.sent_at, delivery.failed_at, delivery.error = timezone.now(), None, ""
        delivery.save(update_fields=["sent_at", "failed_at", "error"])
    return True


def engagement_message_delivery_give_up(*, delivery_id: int, reason: str) -> None:
    with transaction.atomic():
        delivery = (
            EngagementMessageDelivery.objects.select_for_update().filter(pk=delivery_id, sent_at__isnull=True).first()
        )
        if delivery is None:
            return
        delivery.failed_at, delivery.error = timezone.now(), reason[:300]
        delivery.save(update_fields=["failed_at", "error"])
        _audit(
            AuditContext.system(AuditChannel.TASK),
            AuditAction.UPDATE,
            delivery,
            f"Message e-mail #{delivery.pk} not delivered after its last try",
        )


def engagement_message_deliveries_pending(*, older_than_seconds: int = 60) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        EngagementMessageDelivery.objects.filter(
            sent_at__isnull=True, failed_at__isnull=True, created_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
