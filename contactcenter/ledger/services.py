"""Writes of the core. Every channel calls these; none writes core rows another way."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.common.prepared import PreparedStatement, insert_returning_pk
from contactcenter.ledger.rollups_refresh import ledger_rollups_mark
from contactcenter.models import (
    REPEAT_WINDOW,
    AuditAction,
    Channel,
    IdentifierKind,
    Interaction,
    InteractionIdentifier,
    Language,
    Outcome,
)
from contactcenter.reference.identifiers import InvalidIdentifier, normalize_a_number, normalize_receipt_number

User = get_user_model()


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
    confidential: bool = False,
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
        "confidential": confidential,
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


__all__ = ["interaction_record"]
