"""Demo CAO inquiries through the intake service, so the triage console has work to show."""

from __future__ import annotations

import random
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from tqdm import tqdm

from casework import services
from casework.models import Inquiry, InquiryChannel, Source
from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditChannel, BenefitCase

SENDERS = [
    (Source.CIS_OMBUDSMAN, "Case Assistance", "CIS Ombudsman", "caseassistance@cisomb.dhs.gov"),
    (Source.WHITE_HOUSE, "Executive Clerk", "The White House", "correspondence@who.eop.gov"),
    (Source.CONGRESSIONAL, "Caseworker", "Office of Rep. Smith", "casework@mail.house.gov"),
    (Source.CRCL, "Complaints Branch", "CRCL", "complaints@crcl.dhs.gov"),
    (Source.TSA_TRIP, "TRIP Liaison", "TSA", "trip@tsa.dhs.gov"),
    (Source.PUBLIC, "Ana Ruiz", "", "ana.ruiz@example.com"),
]
SUBJECTS = [
    "Case pending past normal processing time",
    "Card not received after approval",
    "Request for expedited handling",
    "Interview notice never arrived",
]


class Command(BaseCommand):
    help = "Create demo CAO inquiries (idempotent: does nothing if demo inquiries exist)."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=40)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, count: int, seed: int, **options):
        if Inquiry.objects.filter(message_id__startswith="<demo-").exists():
            self.stdout.write("Demo inquiries already exist.")
            return
        rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
        receipts = list(BenefitCase.objects.values_list("receipt_number", flat=True)[:200]) or ["EAC2190000001"]
        context = AuditContext.system(AuditChannel.COMMAND)
        for n in tqdm(range(count), desc="Demo inquiries", unit="inquiry", disable=None):
            source, name, organisation, email = rng.choice(SENDERS)
            receipt = rng.choice(receipts)
            subject = (
                "Repeated secondary screening at the airport" if source == Source.TSA_TRIP else rng.choice(SUBJECTS)
            )
            inquiry = services.inquiry_create(
                context=context,
                channel=InquiryChannel.EMAIL if source != Source.PUBLIC else InquiryChannel.WEB_FORM,
                source=source,
                subject=f"{subject} ({receipt})",
                body=f"We write on behalf of the applicant about receipt number {receipt}. {subject}.",
                correspondent_name=name,
                correspondent_organisation=organisation,
                correspondent_email=email,
                priority=rng.choice([1, 2, 3, 3, 3, 4]),
                received_at=timezone.now() - timedelta(days=rng.randint(0, 40)),
                message_id=f"<demo-{seed}-{n}@ncsc.example.gov>",
            )
            if source == Source.TSA_TRIP:
                services.trip_redress_open(
                    context=context,
                    inquiry=inquiry,
                    redress_control_number=f"2026{seed % 100:02d}{n:05d}",
                    traveller_name="Ali Khan",
                )
        self.stdout.write(self.style.SUCCESS(f"Seeded {count} demo inquiries."))
