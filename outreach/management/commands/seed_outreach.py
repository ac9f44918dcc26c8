"""Demo data for the PED console: partners in Phoenix, a CRO's districts, two engagements, a program
grouping one of them, and partner feedback routed to the demo office member's inbox.

Runs through the services, so it is audited like any other write; running it again adds nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.models import AuditChannel
from outreach import services
from outreach.models import Engagement, FeedbackItem, Organisation, Program

PARTNERS = [
    ("Chicanos Por La Causa", "community", "district", ["en", "es"]),
    ("Catholic Charities Community Services", "faith", "district", ["en", "es"]),
    ("Arizona Office of the Governor", "governors_office", "regional", ["en"]),
    ("Tohono O'odham Nation", "tribal", "regional", ["en"]),
    ("Phoenix Public Library ESL program", "esl_civics", "district", ["en", "es", "ar"]),
]

PROGRAM = "Citizenship outreach, Phoenix"
FEEDBACK = "Interview notices reach applicants after their interview date"


class Command(BaseCommand):
    help = "Create demo outreach partners, a CRO's districts and two upcoming engagements (idempotent)."

    def handle(self, *args, **options) -> None:
        context = AuditContext.system(AuditChannel.COMMAND)
        cro = get_user_model().objects.filter(username="demo-cro").first()
        if cro is None:
            self.stderr.write("Run `manage.py seed_demo` first: the demo CRO account is missing.")
            return
        services.cro_profile_set(context=context, user=cro, region="West", districts=["Phoenix", "Tucson"])
        for name, kind, level, languages in PARTNERS:
            if not Organisation.objects.filter(name=name).exists():
                services.organisation_create(
                    context=context, name=name, kind=kind, level=level, region="West",
                    district="Phoenix" if level == "district" else "", languages=languages, owner=cro,
                )  # fmt: skip
        zone = ZoneInfo("America/Phoenix")
        day = timezone.localdate() + timedelta(days=14)
        for title, title_es, kind, topic, hour, venue, call_in, state in [
            ("Naturalization listening session, Phoenix", "Sesión de escucha sobre naturalización, Phoenix",
             "listening_session", "naturalization", 18, "Burton Barr Central Library", "", "AZ"),
            ("Webinar: employment authorization (EAD) updates",
             "Seminario web: novedades sobre la autorización de empleo (EAD)", "webinar",
             "employment-authorization", 11, "", "https://www.uscis.gov/outreach", ""),
        ]:  # fmt: skip
            if Engagement.objects.filter(title=title).exists():
                continue
            starts = datetime.combine(day, time(hour), tzinfo=zone)
            created = services.engagement_create(
                context=context, organiser=cro, title=title, title_es=title_es, kind=kind, topic_code=topic,
                starts_at=starts, ends_at=starts + timedelta(hours=2), time_zone="America/Phoenix", capacity=60,
                registration_closes_at=starts - timedelta(hours=3), venue=venue, call_in=call_in, state=state,
                language="en-es", region="West", district="Phoenix",
            )  # fmt: skip
            services.engagement_publish(context=context, engagement_id=created.pk)
        if not Program.objects.filter(name=PROGRAM).exists():
            program = services.program_create(
                context=context, owner=cro, name=PROGRAM, kind="program", starts_on=day.replace(day=1),
                goal="Help lawful permanent residents in Phoenix file complete N-400 applications.",
                audience="Lawful permanent residents and the partners who serve them",
            )  # fmt: skip
            session = Engagement.objects.get(title="Naturalization listening session, Phoenix")
            services.program_engagement_set(context=context, program_id=program.pk, engagement_id=session.pk)
        responder = get_user_model().objects.filter(username="demo-office").first()
        if responder is not None:
            services.agency_office_membership_add(context=context, user=responder, office="fod")
        if not FeedbackItem.objects.filter(summary=FEEDBACK).exists():
            item = services.feedback_record(
                context=context, recorded_by=cro, source="partner", topic_code="naturalization", summary=FEEDBACK,
                organisation_id=Organisation.objects.get(name="Chicanos Por La Causa").pk,
            )  # fmt: skip
            services.feedback_route(context=context, feedback_id=item.pk, owning_office="fod")
        self.stdout.write(self.style.SUCCESS("Outreach demo data ready."))
