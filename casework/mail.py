"""Reading e-mailed inquiries: a message becomes a new inquiry, or a reply threaded onto one."""

from __future__ import annotations

import email
import email.policy
import imaplib
import logging
import ssl
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime

from django.conf import settings
from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.common.errors import ApplicationError
from contactcenter.models import AuditChannel

from . import selectors, services
from .attachments import AttachmentIn, attachment_problem
from .mail_trust import from_address, sender_domain_verified
from .models import InquiryChannel
from .sanitise import html_to_text, sanitise_html

logger = logging.getLogger(__name__)


@dataclass
class IngestReport:
    created: list[str] = field(default_factory=list)
    threaded: list[str] = field(default_factory=list)
    # (new inquiry, the one it quotes): a message quoting a reference from someone else.
    linked: list[tuple[str, str]] = field(default_factory=list)
    duplicates: int = 0
    failed: list[str] = field(default_factory=list)


def imap_tls_context() -> ssl.SSLContext:
    """Verifies the server's certificate chain and host name; a configured CA file (a private CA)
    takes the place of the system's store."""
    return ssl.create_default_context(cafile=settings.CASEWORK_IMAP_CA_FILE or None)


def imap_connect() -> imaplib.IMAP4:
    """The configured mailbox, before login: over TLS nothing (the password least of all) is sent
    to a server whose certificate does not verify (ssl.SSLError)."""
    host, port = settings.CASEWORK_IMAP_HOST, settings.CASEWORK_IMAP_PORT
    if settings.CASEWORK_IMAP_SSL:
        return imaplib.IMAP4_SSL(host, port, ssl_context=imap_tls_context())
    return imaplib.IMAP4(host, port)


def parse_bytes(raw: bytes) -> EmailMessage:
    return email.message_from_bytes(raw, policy=email.policy.default)


def _body(message: EmailMessage) -> tuple[str, str]:
    """(plain text, sanitised HTML) of a message; the text is derived from the HTML when needed."""
    html_part = message.get_body(preferencelist=("html",))
    plain_part = message.get_body(preferencelist=("plain",))
    html = sanitise_html(html_part.get_content()) if html_part is not None else ""
    if plain_part is not None:
        text = plain_part.get_content()
    elif html_part is not None:
        text = html_to_text(html_part.get_content())
    else:
        text = ""
    return text.strip(), html


def _attachments(message: EmailMessage) -> tuple[list[AttachmentIn], list[str]]:
    kept, refused = [], []
    for part in message.iter_attachments():
        filename = part.get_filename() or "attachment"
        content = part.get_payload(decode=True) or b""
        problem = attachment_problem(filename=filename, content=content)
        if problem:
            refused.append(problem)
        else:
            kept.append(AttachmentIn(filename=filename, content=content))
    return kept, refused


def _received_at(message: EmailMessage) -> datetime:
    try:
        when = parsedate_to_datetime(message["Date"]) if message["Date"] else None
    except (TypeError, ValueError):
        when = None
    if when is None:
        return timezone.now()
    return when if when.tzinfo else timezone.make_aware(when)


def ingest_message(raw: bytes, report: IngestReport) -> None:
    """Ingest one message. The same Message-ID is never ingested twice (unique in the database).

    A message quoting an inquiry's reference joins that inquiry only from its correspondent's
    address; from anyone else it is a new inquiry linked to the one it quotes, which it never
    reopens. The sender's domain counts only as our receiving server authenticated it."""
    message = parse_bytes(raw)
    context = AuditContext.system(AuditChannel.COMMAND)
    message_id = (message["Message-ID"] or "").strip() or None
    if message_id and selectors.message_id_seen(message_id=message_id):
        report.duplicates += 1
        return
    subject = str(message["Subject"] or "").strip() or "(no subject)"
    name, address = parseaddr(str(message["From"] or ""))
    address = from_address(message) or address
    text, html = _body(message)
    attachments, refused = _attachments(message)
    if refused:
        text = f"{text}\n\n[Attachments not kept: {' '.join(refused)}]"
    reference = services.reference_in(subject)
    inquiry = selectors.inquiry_by_reference(reference=reference) if reference else None
    try:
        if inquiry is not None and services.is_correspondent(inquiry=inquiry, email=address):
            services.inquiry_reply_record(
                context=context,
                inquiry=inquiry,
                sender_email=address,
                body=text,
                message_id=message_id,
                attachments=attachments,
            )
            report.threaded.append(inquiry.reference)
            return
        created = services.inquiry_create(
            context=context,
            channel=InquiryChannel.EMAIL,
            subject=subject,
            body=text or "(empty message)",
            body_html=html,
            correspondent_name=name or address or "Unknown sender",
            correspondent_email=address,
            message_id=message_id,
            received_at=_received_at(message),
            attachments=attachments,
            sender_verified=sender_domain_verified(message, authserv_id=settings.CASEWORK_AUTHSERV_ID),
            refers_to=inquiry,
        )
        report.created.append(created.reference)
        if inquiry is not None:
            report.linked.append((created.reference, inquiry.reference))
    except ApplicationError as error:
        logger.error("message %s not ingested: %s", message_id, error.message)
        report.failed.append(f"{message_id}: {error.message}")
