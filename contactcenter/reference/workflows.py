"""Form orders and the daily mailing batch: a mail order waits until a supervisor confirms the batch
it was printed in; a text order is sent by a worker.

Services refuse what the tables leave out; the supervisor's page shows what they allow."""

from __future__ import annotations

from contactcenter.common.workflows import Transition, Workflow
from contactcenter.reference.models import FormOrderStatus, MailingBatchStatus
from contactcenter.staff.roles import Role

FORM_ORDER = Workflow(
    "form order",
    (
        Transition("text", [FormOrderStatus.PENDING, FormOrderStatus.FAILED], FormOrderStatus.SENT, automatic=True),
        Transition("fail", [FormOrderStatus.PENDING, FormOrderStatus.FAILED], FormOrderStatus.FAILED, automatic=True),
        Transition("queue", [FormOrderStatus.PENDING, FormOrderStatus.FAILED], FormOrderStatus.QUEUED, automatic=True),
        Transition("batch", [FormOrderStatus.QUEUED], FormOrderStatus.BATCHED, automatic=True),
        Transition("mail", [FormOrderStatus.BATCHED], FormOrderStatus.MAILED, automatic=True),
    ),
)

MAILING_BATCH = Workflow(
    "mailing batch",
    (Transition("confirm", [MailingBatchStatus.MADE], MailingBatchStatus.CONFIRMED, roles=[Role.SUPERVISOR]),),
)

__all__ = ["FORM_ORDER", "MAILING_BATCH"]
