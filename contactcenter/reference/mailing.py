"""The daily mailing batch: every mail form order queued since the last batch, printed as address labels
(a PDF) and sent to the print vendor (a CSV). Its orders count as mailed only once a supervisor
confirms the batch was printed and mailed."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contactcenter.audit.context import AuditContext
from contactcenter.audit.services import audit_record
from contactcenter.common.errors import ApplicationError
from contactcenter.common.workflows import Refusal
from contactcenter.models import (
    AuditAction,
    FormOrder,
    FormOrderChannel,
    FormOrderStatus,
    MailingBatch,
    MailingBatchItem,
)
from contactcenter.reference.workflows import FORM_ORDER, MAILING_BATCH

# A batch is one print run; what is left over goes in the next one.
MAILING_BATCH_MAX_ORDERS = 5000
VENDOR_CSV_HEADER = ("order_id", "form_number", "edition", "name", "address_line", "city", "state", "zip_code")


def mailing_batch_create(*, context: AuditContext, today: date | None = None) -> MailingBatch | None:
    """Gather every queued mail order into a new batch; None when none is queued.

    The queued orders are locked: a second batch made at the same moment waits, then finds them
    batched and leaves them out (and the one-batch-per-order constraint refuses what slipped by)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        orders = list(
            FormOrder.objects.select_for_update(of=("self",))
            .select_related("form", "case")
            .filter(status=FormOrderStatus.QUEUED, channel=FormOrderChannel.MAIL)
            .order_by("created_at", "id")[:MAILING_BATCH_MAX_ORDERS]
        )
        # An order whose case was removed has no address left to print.
        orphans = [order for order in orders if order.case is None]
        for order in orphans:
            order.status = FormOrderStatus.FAILED
            order.last_error = "No case, so no address on file to mail the form to."
            order.save(update_fields=["status", "last_error"])
        ready = [order for order in orders if order.case is not None]
        if not ready:
            return None
        batch = MailingBatch(batch_date=today, created_by=context.actor if getattr(context.actor, "pk", None) else None)
        batch.full_clean()
        batch.save()
        items = [
            MailingBatchItem(
                batch=batch,
                order=order,
                form_number=order.form.number,
                edition=order.form.edition,
                name=order.case.applicant_name,
                address_line=order.case.mailing_address_line,
                city=order.case.mailing_city,
                state=order.case.mailing_state,
                zip_code=order.case.mailing_zip,
            )
            for order in ready
        ]
        for item in items:
            item.full_clean(exclude=["batch", "order"], validate_unique=False)
        try:
            with transaction.atomic():
                MailingBatchItem.objects.bulk_create(items)
        except IntegrityError as error:
            message = _("Another mailing batch took these orders at the same moment: try again.")
            raise ApplicationError(message) from error
        FormOrder.objects.filter(pk__in=[order.pk for order in ready]).update(status=FORM_ORDER.rows("batch")[0].target)
        for order in ready:
            order.mailed_to = order.case.mailing_address
        FormOrder.objects.bulk_update(ready, ["mailed_to"])
        audit_record(
            context=context,
            action=AuditAction.CREATE,
            target_type="contactcenter.mailingbatch",
            target_id=batch.pk,
            summary=f"Mailing batch of {today:%Y-%m-%d}: {len(ready)} form orders",
            detail={"order_ids": [order.pk for order in ready], "failed_order_ids": [order.pk for order in orphans]},
        )
    return batch


def mailing_batch_confirm(*, context: AuditContext, user, batch_id: int) -> MailingBatch:
    """A supervisor confirms the batch was printed and mailed: its orders are mailed. Once only."""
    with transaction.atomic():
        batch = MailingBatch.objects.select_for_update().filter(pk=batch_id).first()
        if batch is None:
            raise ApplicationError(_("Mailing batch %(id)s does not exist.") % {"id": batch_id})
        refusal = MAILING_BATCH.refusal("confirm", batch, user)
        if refusal is Refusal.ROLE:
            raise ApplicationError(_("Only a contact center supervisor confirms a mailing batch."))
        if refusal is not None:
            raise ApplicationError(_("This mailing batch was already confirmed as printed and mailed."))
        now = timezone.now()
        batch.status = MAILING_BATCH.row("confirm", batch, user).target
        batch.confirmed_at = now
        batch.confirmed_by = user
        batch.full_clean()
        batch.save(update_fields=["status", "confirmed_at", "confirmed_by"])
        order_ids = list(batch.items.values_list("order_id", flat=True))
        mailed = FormOrder.objects.filter(pk__in=order_ids, status=FormOrderStatus.BATCHED).update(
            status=FORM_ORDER.rows("mail")[0].target, sent_at=now
        )
        audit_record(
            context=context,
            action=AuditAction.UPDATE,
            target_type="contactcenter.mailingbatch",
            target_id=batch.pk,
            summary=f"Mailing batch {batch.pk} confirmed printed and mailed: {mailed} form orders mailed",
            detail={"order_ids": order_ids},
        )
    return batch


# --- the batch's files -----------------------------------------------------------------------------
def _printable(text: str) -> str:
    """The PDF's built-in fonts hold Latin-1: other letters lose their accents (Nguyễn → Nguyen)."""
    out = []
    for char in str(text):
        if ord(char) < 256:
            out.append(char)
            continue
        plain = "".join(c for c in unicodedata.normalize("NFKD", char) if ord(c) < 256 and not unicodedata.combining(c))
        out.append(plain or "?")
    return "".join(out)


def mailing_labels_pdf(*, batch: MailingBatch, items: Iterable[MailingBatchItem]) -> bytes:
    """Address labels, 30 to a US Letter sheet (1 × 2⅝ inch, the common 3 × 10 layout)."""
    from fpdf import FPDF

    pdf = FPDF(unit="in", format="letter")
    pdf.set_title(f"Form orders, mailing batch {batch.pk} ({batch.batch_date:%Y-%m-%d})")
    pdf.set_creator("NCSC contact center")
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0)
    # Uncompressed: a batch is a few pages of text, and the print shop's tools read it as it is.
    pdf.compress = False
    pdf.set_font("Helvetica", size=10)
    for index, item in enumerate(items):
        slot = index % 30
        if slot == 0:
            pdf.add_page()
        column, row = slot % 3, slot // 3
        left, top = 0.1875 + column * 2.75 + 0.12, 0.5 + row * 1.0 + 0.12
        lines = (
            item.name,
            item.address_line,
            f"{item.city}, {item.state} {item.zip_code}",
            f"Form {item.form_number} ({item.edition:%m/%d/%y}) - order {item.order_id}",
        )
        for number, line in enumerate(lines):
            pdf.set_font("Helvetica", size=7 if number == 3 else 10)
            pdf.set_xy(left, top + number * 0.18)
            pdf.cell(2.4, 0.18, _printable(line)[:48])
    if pdf.page == 0:
        pdf.add_page()
    return bytes(pdf.output())


def mailing_vendor_rows(*, items: Iterable[MailingBatchItem]) -> list[tuple]:
    return [
        (
            item.order_id,
            item.form_number,
            f"{item.edition:%Y-%m-%d}",
            item.name,
            item.address_line,
            item.city,
            item.state,
            item.zip_code,
        )
        for item in items
    ]


__all__ = [
    "MAILING_BATCH_MAX_ORDERS",
    "VENDOR_CSV_HEADER",
    "mailing_batch_confirm",
    "mailing_batch_create",
    "mailing_labels_pdf",
    "mailing_vendor_rows",
]
