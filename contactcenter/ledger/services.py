"""Writes of the core. Every channel calls these; none writes core rows another way."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.audit.pii import mask_pii
from contactcenter.common.errors import ApplicationError
from contactcenter.common.prepared import PreparedStatement, insert_returning_pk
from contactcenter.ledger.rollups_refresh import ledger_rollups_mark
from contactcenter.models import (
    REPEAT_WINDOW,
    AuditAction,
    AuditEvent,
    Channel,
    ContactKind,
    IdentifierKind,
    Interaction,
    InteractionIdentifier,
    Language,
    Outcome,
    StaffProfile,
    Tier,
    WaitingContact,
    WorkerHeartbeat,
)
from contactcenter.reference.identifiers import InvalidIdentifier, normalize_a_number, normalize_receipt_number
from contactcenter.staff.roles import Role

User = get_user_model()


def audit_record(
    *,
    context: AuditContext,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    summary: str = "",
    detail: dict | None = None,
) -> AuditEvent:
    """Append one audit row. Call it inside the transaction of the change it records."""
    actor = context.actor if context.actor is not None and context.actor.pk else None
    event = AuditEvent(
        actor=actor,
        actor_username=actor.get_username() if actor else "",
        action=action,
        channel=context.channel,
        target_type=target_type,
        target_id=str(target_id),
        summary=mask_pii(summary)[:300],
        ip_address=context.ip_address,
        request_id=context.request_id or "",
        detail={key: mask_pii(str(value)) for key, value in (detail or {}).items()},
    )
    event.full_clean(exclude=["actor"])  # the actor is the signed-in user in hand
    # No savepoint: an audit row that cannot be written must undo the change it records.
    with transaction.atomic(savepoint=False):
        insert_returning_pk(event)
    return event


def staff_user_create(
    *,
    context: AuditContext,
    username: str,
    password: str | None,
    roles: Iterable[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    tier: int = Tier.NONE,
    languages: Iterable[str] = ("en",),
    skills: Iterable[str] = (),
    time_zone: str = "America/New_York",
    district: str = "",
    title: str = "",
) -> User:
    roles = list(roles)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ApplicationError(f"A staff member with username {username!r} already exists.")
        user = User(
            username=username,
            first_name=first_name,
            last_name=last_name,
            email=email,
            is_staff=Role.ADMINISTRATOR in roles,
            is_superuser=Role.ADMINISTRATOR in roles,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        profile = StaffProfile(
            user=user,
            tier=tier,
            languages=list(languages),
            skills=list(skills),
            time_zone=time_zone,
            district=district,
            title=title,
        )
        profile.full_clean()
        profile.save()
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="auth.user",
            target_id=user.pk,
            summary=f"Staff account {username} created with roles {', '.join(r.value for r in roles)}",
        )
    return user


def staff_roles_set(*, context: AuditContext, user: User, roles: Iterable[Role]) -> User:
    roles = list(roles)
    with transaction.atomic():
        user.groups.set(Group.objects.filter(name__in=[role.value for role in roles]))
        user.is_staff = user.is_superuser = Role.ADMINISTRATOR in roles
        user.save(update_fields=["is_staff", "is_superuser"])
        user.__dict__.pop("_ncsc_roles", None)
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="auth.user",
            target_id=user.pk,
            summary=f"Roles of {user.get_username()} set to {', '.join(r.value for r in roles) or 'none'}",
        )
    return user


def staff_agent_line_set(*, context: AuditContext, user_id: int, line: str) -> StaffProfile:
    """A supervisor or administrator gives a Tier 1 or Tier 2 agent a desk phone or SIP line (or, empty,
    takes them back to the browser): stored normalised, audited by field name."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    with transaction.atomic():
        profile = (
            StaffProfile.objects.select_for_update()
            .select_related("user")
            .filter(user_id=user_id)
            .exclude(tier=Tier.NONE)
            .first()
        )
        if profile is None:
            raise ApplicationError(_("Choose a Tier 1 or Tier 2 agent."), extra={"field": "agent"})
        before = profile.agent_line
        profile.agent_line = (line or "").strip()
        try:
            profile.full_clean()
        except ValidationError as error:
            messages = error.message_dict.get("agent_line") if hasattr(error, "error_dict") else None
            raise ApplicationError(" ".join(messages or error.messages), extra={"field": "line"}) from error
        if profile.agent_line == before:
            return profile
        profile.save(update_fields=["agent_line", "updated_at"])
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.staffprofile",
            target_id=profile.pk,
            summary=f"Calls of {profile.user.get_username()} now ring "
            + ("at a desk phone or SIP line" if profile.agent_line else "in the browser"),
            detail={"fields": ["agent_line"]},
        )
    return profile


def _identifiers(receipt_numbers: Iterable[str], a_numbers: Iterable[str]) -> list[tuple[str, str]]:
    found: dict[tuple[str, str], None] = {}
    try:
        for raw in receipt_numbers:
            found[(IdentifierKind.RECEIPT_NUMBER, normalize_receipt_number(raw))] = None
        for raw in a_numbers:
            found[(IdentifierKind.A_NUMBER, normalize_a_number(raw))] = None
    except InvalidIdentifier as error:
        raise ApplicationError(str(error)) from error
    return list(found)


_RESOLVED_RELATIONS = ["topic", "parent", "handled_by"]


def interaction_record(
    *,
    context: AuditContext,
    channel: Channel | str,
    topic_code: str,
    source_app: str,
    source_model: str,
    source_id: str | int,
    occurred_at: datetime | None = None,
    ended_at: datetime | None = None,
    language: str = Language.ENGLISH,
    outcome: Outcome | str = Outcome.IN_PROGRESS,
    receipt_numbers: Iterable[str] = (),
    a_numbers: Iterable[str] = (),
    parent: Interaction | None = None,
    source_url: str = "",
    contact_phone: str = "",
    summary: str = "",
    handled_by: User | None = None,
) -> Interaction:
    """Record (or update, keyed by its source record) one customer contact in the ledger.

    Idempotent on (source_app, source_model, source_id): a channel may call it again as its own
    record progresses, and identifiers only accumulate.
    """
    topic_id = _topic_id(topic_code)
    identifiers = _identifiers(receipt_numbers, a_numbers)
    values = {
        "channel": channel,
        "occurred_at": occurred_at or timezone.now(),
        "ended_at": ended_at,
        "language": language,
        "topic_id": topic_id,
        "outcome": outcome,
        "parent": parent,
        "source_url": source_url,
        "contact_phone": contact_phone,
        "summary": summary[:500],
        "handled_by": handled_by,
    }
    source = {"source_app": source_app, "source_model": source_model, "source_id": str(source_id)}
    # No savepoint inside a caller's transaction: nothing here is retried after a failure, so a
    # failure must undo the caller's change too.
    with transaction.atomic(savepoint=False):
        # Before the contact's row is locked (see _decide_repeats), so the lock order is always
        # receipt numbers, then rows: never a row held while waiting for a number.
        _lock_receipts({v for k, v in identifiers if k == IdentifierKind.RECEIPT_NUMBER})
        interaction = Interaction(**source, **values)
        # The related rows are instances already in hand (and the topic's id was just read), not ids
        # to look up again; the unique source is enforced by the database, where concurrent callers meet.
        interaction.full_clean(exclude=_RESOLVED_RELATIONS, validate_unique=False, validate_constraints=False)
        created = insert_returning_pk(interaction, unless_conflicting_on=_INTERACTION_SOURCE) is not None
        previous_occurred_at, previous_parent_id = None, None
        if not created:
            interaction = _interaction_by_source(**source)
            previous_occurred_at, previous_parent_id = interaction.occurred_at, interaction.parent_id
            values["occurred_at"] = occurred_at or interaction.occurred_at
            values["parent"] = parent or interaction.parent
            values["ended_at"] = ended_at or interaction.ended_at
            values["handled_by"] = handled_by or interaction.handled_by
            for field, value in values.items():
                setattr(interaction, field, value)
            interaction.full_clean(exclude=_RESOLVED_RELATIONS, validate_unique=False, validate_constraints=False)
            interaction.save(update_fields=[*values, "updated_at"])
        existing = set(interaction.identifiers.values_list("kind", "value")) if not created else set()
        for kind, value in identifiers:
            if (kind, value) not in existing:  # a contact names a handful at most: one prepared insert each
                insert_returning_pk(
                    InteractionIdentifier(interaction=interaction, kind=kind, value=value),
                    unless_conflicting_on=("interaction_id", "kind", "value"),
                )
        receipts = {v for k, v in existing | set(identifiers) if k == IdentifierKind.RECEIPT_NUMBER}
        # The rollup intervals this write can change: its own (and the one it left), and its
        # parent's, whose FCR and Tier 2 figures count its hand-offs.
        touched = {interaction.occurred_at, previous_occurred_at}
        if interaction.parent_id is not None:
            touched.add(interaction.parent.occurred_at)
        if previous_parent_id not in (None, interaction.parent_id):
            touched.update(Interaction.objects.filter(pk=previous_parent_id).values_list("occurred_at", flat=True))
        if receipts and (
            created
            or not existing.issuperset(identifiers)
            or interaction.occurred_at != previous_occurred_at
            or interaction.parent_id != previous_parent_id
        ):
            touched |= _decide_repeats(
                interaction=interaction,
                receipts=receipts,
                occurred_ats={interaction.occurred_at, previous_occurred_at or interaction.occurred_at},
            )
        ledger_rollups_mark(moments=touched)
        audit_record(
            context=context,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            target_type="contactcenter.interaction",
            target_id=interaction.pk,
            summary=f"{Channel(channel).label} contact on {topic_code}: {Outcome(outcome).label}",
        )
    return interaction


_INTERACTION_SOURCE = ("source_app", "source_model", "source_id")
_REPEAT_LOCK_SPACE = 19  # pg_advisory_xact_lock(space, hashtext(receipt number)): one lock per receipt number


def followed_by_repeat_expression():
    """True for an interaction when another first contact (no parent) about one of its receipt
    numbers occurred after it, within REPEAT_WINDOW: the marker first-contact resolution reads.
    Two nested EXISTS, each an index probe (its identifiers, then each number's other contacts):
    `value IN (correlated subquery)` was a scan of every identifier per contact.
    Migration 0018 backfills with the same expression; keep the two alike."""
    later_about_it = InteractionIdentifier.objects.filter(
        kind=IdentifierKind.RECEIPT_NUMBER,
        value=OuterRef("value"),
        interaction__parent__isnull=True,
        interaction__occurred_at__gt=OuterRef(OuterRef("occurred_at")),
        interaction__occurred_at__lte=OuterRef(OuterRef("occurred_at")) + REPEAT_WINDOW,
    )
    return Exists(
        InteractionIdentifier.objects.filter(interaction=OuterRef("pk"), kind=IdentifierKind.RECEIPT_NUMBER).filter(
            Exists(later_about_it)
        )
    )


def _lock_receipts(receipts: set[str]) -> None:
    if receipts and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for receipt in sorted(receipts):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_REPEAT_LOCK_SPACE, receipt])


def _decide_repeats(*, interaction: Interaction, receipts: set[str], occurred_ats: set[datetime]) -> set[datetime]:
    """Recompute the repeat marker of this contact and of every contact about its receipt numbers
    that it can be a repeat of (those up to REPEAT_WINDOW before it, at its old and new time).

    Concurrency: two contacts about one receipt number recorded at the same moment would each miss
    the other's uncommitted row. So each takes a transaction-long advisory lock per receipt number
    (sorted; interaction_record takes those it is given before anything else) before the UPDATE,
    so neither can slip between the other's insert and its marking: the second waits for the
    first to commit, and its UPDATE (a fresh READ COMMITTED snapshot) then sees the first's rows and
    marks in both directions. SQLite needs none: its write transactions are serialised already."""
    _lock_receipts(receipts)  # held already but for numbers the contact carried before this call
    earlier = Q()
    for moment in occurred_ats:
        earlier |= Q(occurred_at__gte=moment - REPEAT_WINDOW, occurred_at__lt=moment)
    about_its_receipts = InteractionIdentifier.objects.filter(
        kind=IdentifierKind.RECEIPT_NUMBER, value__in=receipts
    ).values("interaction_id")
    # Driven by the receipt numbers' identifiers (a handful of rows), never by the time range alone.
    # Returns when those contacts occurred: the rollup intervals whose FCR the update may change.
    # The set is stable while the receipt numbers' locks are held (every contact about them takes them).
    about = Interaction.objects.filter(pk__in=about_its_receipts).filter(Q(pk=interaction.pk) | earlier)
    touched = set(about.values_list("occurred_at", flat=True))
    about.update(followed_by_repeat=followed_by_repeat_expression())
    return touched


_TOPIC_ID = PreparedStatement("topic_id_by_code", "SELECT id FROM contactcenter_topic WHERE code = %s")


def _topic_id(code: str) -> int:
    with connection.cursor() as cursor:
        _TOPIC_ID.execute(cursor, [code])
        row = cursor.fetchone()
    if row is None:
        raise ApplicationError(f"Unknown topic {code!r}.")
    return row[0]


def _interaction_by_source(*, source_app: str, source_model: str, source_id: str) -> Interaction:
    return Interaction.objects.select_for_update().get(
        source_app=source_app, source_model=source_model, source_id=source_id
    )


def heartbeat_record(*, name: str, hostname: str = "") -> WorkerHeartbeat:
    with transaction.atomic():
        heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
            name=name, defaults={"last_seen": timezone.now(), "hostname": hostname[:200]}
        )
    return heartbeat


# --- queues -------------------------------------------------------------------------------------
def queue_name_for(*, tier: int, language: str) -> str:
    return f"tier{tier}-{language}"


def _queue_rollups_mark(contact: WaitingContact) -> None:
    from contactcenter.routing.queue_rollups_refresh import queue_rollups_mark

    queue_rollups_mark(contacts=[contact])


def _route_soon(*, queue_name: str) -> None:
    """After commit, ask a worker to route the queue; a broker outage only delays it to the sweep."""
    from contactcenter.common.background import enqueue_on_commit
    from contactcenter.tasks import route_queue

    enqueue_on_commit(route_queue, queue_name=queue_name)


def contact_enqueue(
    *,
    context: AuditContext,
    phone: str,
    language: str,
    caller_time_zone: str,
    tier: int = 1,
    kind: str = ContactKind.CALL,
    call_sid: str | None = None,
    receipt_numbers: Iterable[str] = (),
    ivr_path: Iterable[str] = (),
    interaction: Interaction | None = None,
    priority: int = 0,
    skill: str = "",
) -> WaitingContact:
    """Put a caller (or a callback request) in line for a person. Idempotent on CallSid.

    A callback requested from the queue keeps the original enqueue time, so it keeps its place."""
    with transaction.atomic():
        existing = WaitingContact.objects.select_for_update().filter(call_sid=call_sid).first() if call_sid else None
        if existing is not None:
            if kind == ContactKind.CALLBACK and existing.kind != ContactKind.CALLBACK:
                existing.kind = ContactKind.CALLBACK
                existing.save(update_fields=["kind", "updated_at"])
                audit_record(
                    context=context,
                    action=AuditAction.UPDATE,
                    target_type="contactcenter.waitingcontact",
                    target_id=existing.pk,
                    summary="Caller in queue asked for a callback and kept their place",
                )
            return existing
        contact = WaitingContact(
            kind=kind,
            tier=tier,
            language=language,
            queue_name=queue_name_for(tier=tier, language=language),
            priority=priority,
            call_sid=call_sid,
            phone=phone,
            caller_time_zone=caller_time_zone,
            receipt_numbers=list(receipt_numbers),
            ivr_path=list(ivr_path),
            interaction=interaction,
            skill=skill[:50],
        )
        contact.full_clean()
        contact.save()
        _queue_rollups_mark(contact)
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="contactcenter.waitingcontact",
            target_id=contact.pk,
            summary=f"{contact.get_kind_display()} queued in {contact.queue_name}",
        )
        _route_soon(queue_name=contact.queue_name)
    return contact


__all__ = [
    "audit_record",
    "contact_enqueue",
    "heartbeat_record",
    "interaction_record",
    "queue_name_for",
    "staff_agent_line_set",
    "staff_roles_set",
    "staff_user_create",
]
