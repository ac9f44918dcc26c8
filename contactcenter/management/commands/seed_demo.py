"""Demo users (one per role) and a month of realistic contact-center traffic."""

from __future__ import annotations

import random
import secrets
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from contactcenter import services
from contactcenter.audit.context import AuditContext
from contactcenter.knowledge import services as knowledge
from contactcenter.knowledge.models import KnowledgeArticle
from contactcenter.models import (
    AuditChannel,
    BenefitCase,
    Channel,
    FieldOffice,
    Interaction,
    Language,
    OfficeMembership,
    Outcome,
    Tier,
    Topic,
)
from contactcenter.reference.identifiers import RECEIPT_PREFIXES
from contactcenter.staff.roles import Role

from ._demo_knowledge import DEMO_ARTICLES

User = get_user_model()

DEMO_STAFF = [
    # username, role, first, last, tier, languages, skills, time zone, district
    (
        "demo-csr",
        Role.CSR,
        "Maria",
        "Alvarez",
        Tier.TIER1,
        ["en", "es"],
        ["case-status", "outside-processing-time", "address-change"],
        "America/Chicago",
        "Houston",
    ),
    (
        "demo-iso",
        Role.ISO,
        "James",
        "Okafor",
        Tier.TIER2,
        # Bilingual, so a Spanish escalation overflows to the demo's only officer (tier2-es → tier2-en
        # after two minutes) instead of waiting for an officer the demo does not have.
        ["en", "es"],
        ["expedite", "naturalization", "green-card"],
        "America/New_York",
        "Baltimore",
    ),
    (
        "demo-cao-analyst",
        Role.CAO_ANALYST,
        "Priya",
        "Raman",
        Tier.NONE,
        ["en"],
        ["congressional"],
        "America/New_York",
        "Washington",
    ),
    (
        "demo-cao-supervisor",
        Role.CAO_SUPERVISOR,
        "Robert",
        "Chen",
        Tier.NONE,
        ["en"],
        [],
        "America/New_York",
        "Washington",
    ),
    (
        "demo-tsa-liaison",
        Role.TSA_LIAISON,
        "Angela",
        "Brooks",
        Tier.NONE,
        ["en"],
        ["trip"],
        "America/New_York",
        "Arlington",
    ),
    (
        "demo-outreach",
        Role.OUTREACH_STAFF,
        "Daniel",
        "Nguyen",
        Tier.NONE,
        ["en", "es"],
        [],
        "America/Los_Angeles",
        "Los Angeles",
    ),
    ("demo-cro", Role.CRO, "Lucia", "Fernandez", Tier.NONE, ["en", "es"], [], "America/Phoenix", "Phoenix"),
    ("demo-supervisor", Role.SUPERVISOR, "Karen", "Walsh", Tier.NONE, ["en"], [], "America/Chicago", "Dallas"),
    ("demo-admin", Role.ADMINISTRATOR, "Thomas", "Reed", Tier.NONE, ["en"], [], "America/New_York", "Washington"),
    ("demo-office", Role.OFFICE_STAFF, "Grace", "Kim", Tier.NONE, ["en"], [], "America/New_York", "St. Albans"),
    (
        "demo-office-supervisor",
        Role.OFFICE_STAFF,
        "Robert",
        "Dubois",
        Tier.NONE,
        ["en", "es"],
        [],
        "America/New_York",
        "St. Albans",
    ),
]
# The office staff work the office holding the demo's receipt number (DEMO_RECEIPT): where a service
# request the demo CSR takes on it is routed. The second of them supervises it.
DEMO_RECEIPT = "EAC2190000001"
OFFICE_MEMBERS = {"demo-office": False, "demo-office-supervisor": True}

IVR_TOPICS = [
    "case-status",
    "case-status",
    "case-status",
    "processing-times",
    "forms",
    "form-order",
    "field-offices",
    "civil-surgeons",
    "priority-dates",
]
AGENT_TOPICS = [
    "case-status",
    "address-change",
    "non-delivery",
    "outside-processing-time",
    "expedite",
    "biometrics",
    "interview",
    "typographic-error",
    "accommodation",
    "employment-authorization",
]
WRITTEN_TOPICS = ["case-status", "expedite", "civil-rights", "customer-experience", "travel-redress", "policy"]
AREA_CODES = ["213", "305", "312", "404", "512", "602", "718", "787", "808", "907", "202", "617"]


class Command(BaseCommand):
    help = "Create one demo user per role and a month of realistic contacts (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--contacts", type=int, default=1500, help="IVR calls to generate (default 1500).")
        parser.add_argument("--password", help="Use this password for every demo user instead of random ones.")
        parser.add_argument("--reset-passwords", action="store_true", help="Give existing demo users new passwords.")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--cases", type=int, default=20000, help="Benefit cases to generate (default 20000).")

    def handle(
        self, *args, contacts: int, password: str | None, reset_passwords: bool, seed: int, cases: int, **options
    ):
        call_command("seed_reference", cases=cases, seed=seed, stdout=self.stdout, stderr=self.stderr)
        context = AuditContext.system(channel=AuditChannel.COMMAND)
        self._seed_staff(context, password, reset_passwords)
        self._seed_office_memberships()
        self._seed_knowledge()
        if Interaction.objects.filter(source_app="demo").exists():
            self.stdout.write("Demo contacts already exist; left as they are.")
            return
        self._seed_contacts(context, contacts, random.Random(seed))

    def _seed_staff(self, context, password, reset_passwords) -> None:
        rows = []
        for username, role, first, last, tier, languages, skills, tz, district in DEMO_STAFF:
            user = User.objects.filter(username=username).first()
            chosen = password or secrets.token_urlsafe(12)
            if user is None:
                services.staff_user_create(
                    context=context,
                    username=username,
                    password=chosen,
                    roles=[role],
                    first_name=first,
                    last_name=last,
                    email=f"{username}@ncsc.example.gov",
                    tier=tier,
                    languages=languages,
                    skills=skills,
                    time_zone=tz,
                    district=district,
                )
                rows.append((username, role.label, chosen))
            elif reset_passwords or password:
                user.set_password(chosen)
                user.save(update_fields=["password"])
                rows.append((username, role.label, chosen))
        if not rows:
            self.stdout.write("Demo users already exist (use --reset-passwords for new passwords).")
            return
        self.stdout.write(self.style.WARNING("Demo users — shown once, for demonstration only:"))
        name_width = max(len(username) for username, _label, _chosen in rows)
        role_width = max(len(str(label)) for _username, label, _chosen in rows)
        for username, label, chosen in rows:
            self.stdout.write(f"  {username:<{name_width}}  {label!s:<{role_width}}  {chosen}")

    def _seed_office_memberships(self) -> None:
        case = BenefitCase.objects.filter(receipt_number=DEMO_RECEIPT).select_related("office").first()
        office = case.office if case else FieldOffice.objects.order_by("code").first()
        if office is None:
            return
        for username, supervisor in OFFICE_MEMBERS.items():
            user = User.objects.filter(username=username).first()
            if user is not None:
                OfficeMembership.objects.update_or_create(
                    user=user, office=office, defaults={"is_supervisor": supervisor}
                )
        self.stdout.write(f"Office staff work {office.name} ({office.code}), the office holding {DEMO_RECEIPT}.")

    def _seed_knowledge(self) -> None:
        """The library's demo articles, English and Spanish linked, written by the demo CAO analyst and
        published by the demo CAO supervisor. An article already there (by title) is left as it is."""
        staff = {u.username: u for u in User.objects.filter(username__in=["demo-cao-analyst", "demo-cao-supervisor"])}
        if len(staff) < 2:
            return
        writer = AuditContext(actor=staff["demo-cao-analyst"], channel=AuditChannel.COMMAND)
        reviewer = AuditContext(actor=staff["demo-cao-supervisor"], channel=AuditChannel.COMMAND)
        topics = {t.code: t for t in Topic.objects.filter(code__in=[row[0] for row in DEMO_ARTICLES])}
        added = 0
        for code, kind, source, (title_en, body_en), (title_es, body_es) in DEMO_ARTICLES:
            if KnowledgeArticle.objects.filter(title=title_en, language=Language.ENGLISH).exists():
                continue
            with transaction.atomic():
                english = knowledge.knowledge_article_create(
                    context=writer, title=title_en, body=body_en, kind=kind, topic=topics[code],
                    language=Language.ENGLISH, source=source,
                )  # fmt: skip
                spanish = knowledge.knowledge_article_create(
                    context=writer, title=title_es, body=body_es, kind=kind, topic=topics[code],
                    language=Language.SPANISH, source=source, translation_of=english,
                )  # fmt: skip
                for article in (english, spanish):
                    knowledge.knowledge_article_publish(context=reviewer, article=article)
            added += 2
        if added:
            self.stdout.write(f"Published {added} knowledge library articles in English and Spanish.")

    def _seed_contacts(self, context, count: int, rng: random.Random) -> None:
        now = timezone.now()
        agents = {u.username: u for u in User.objects.filter(username__in=["demo-csr", "demo-iso"])}
        analyst = User.objects.filter(username="demo-cao-analyst").first()
        with transaction.atomic():
            for n in tqdm(range(count), desc="Demo contacts", unit="call", disable=None):
                when = now - timedelta(minutes=rng.randint(5, 30 * 24 * 60))
                language = Language.SPANISH if rng.random() < 0.28 else Language.ENGLISH
                receipt = (
                    f"{rng.choice(RECEIPT_PREFIXES)}{rng.randint(19, 26):02d}{rng.randint(1, 260):03d}"
                    f"{rng.randint(0, 99999):05d}"
                )
                phone = f"+1{rng.choice(AREA_CODES)}{rng.randint(2000000, 9999999)}"
                wants_agent = rng.random() < 0.22
                call = services.interaction_record(
                    context=context,
                    channel=Channel.IVR,
                    topic_code=rng.choice(IVR_TOPICS),
                    source_app="demo",
                    source_model="call",
                    source_id=f"CA-demo-{n:06d}",
                    occurred_at=when,
                    ended_at=when + timedelta(seconds=rng.randint(40, 400)),
                    language=language,
                    outcome=Outcome.TRANSFERRED if wants_agent else Outcome.SELF_SERVED,
                    receipt_numbers=[receipt],
                    contact_phone=phone,
                    summary="IVR call",
                )
                if not wants_agent:
                    continue
                escalate = rng.random() < 0.12
                talk = services.interaction_record(
                    context=context,
                    channel=Channel.TIER1,
                    topic_code=rng.choice(AGENT_TOPICS),
                    source_app="demo",
                    source_model="conversation",
                    source_id=f"T1-demo-{n:06d}",
                    occurred_at=when + timedelta(minutes=3),
                    language=language,
                    outcome=Outcome.ESCALATED if escalate else Outcome.RESOLVED,
                    parent=call,
                    receipt_numbers=[receipt],
                    contact_phone=phone,
                    handled_by=agents.get("demo-csr"),
                    summary="Tier 1 conversation",
                )
                if escalate:
                    services.interaction_record(
                        context=context,
                        channel=Channel.TIER2,
                        topic_code=talk.topic.code,
                        source_app="demo",
                        source_model="conversation",
                        source_id=f"T2-demo-{n:06d}",
                        occurred_at=when + timedelta(minutes=15),
                        language=language,
                        outcome=Outcome.RESOLVED,
                        parent=talk,
                        receipt_numbers=[receipt],
                        handled_by=agents.get("demo-iso"),
                        summary="Tier 2 review",
                    )
                if rng.random() < 0.05:
                    services.interaction_record(
                        context=context,
                        channel=Channel.WRITTEN,
                        topic_code=rng.choice(WRITTEN_TOPICS),
                        source_app="demo",
                        source_model="inquiry",
                        source_id=f"W-demo-{n:06d}",
                        occurred_at=when + timedelta(days=2),
                        language=language,
                        outcome=Outcome.IN_PROGRESS,
                        receipt_numbers=[receipt],
                        handled_by=analyst,
                        summary="Written follow-up",
                    )
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {Interaction.objects.filter(source_app='demo').count()} contacts.")
        )
