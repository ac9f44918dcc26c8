from datetime import timedelta
from zoneinfo import ZoneInfo

import factory
from django.utils import timezone

from contactcenter.audit.context import AuditContext
from contactcenter.models import Topic
from outreach.models import (
    Contact,
    Engagement,
    EngagementStatus,
    EngagementType,
    Organisation,
    OrganisationLevel,
    OrganisationType,
    Registration,
    RegistrationStatus,
)
from tests.factories import StaffFactory

CHICAGO = ZoneInfo("America/Chicago")
CTX = AuditContext.system()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Community Partner {n}")
    kind = OrganisationType.COMMUNITY
    level = OrganisationLevel.DISTRICT
    region = "Central"
    district = "Chicago"
    languages = factory.LazyFunction(lambda: ["en", "es"])


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Faker("first_name")
    last_name = factory.Sequence(lambda n: f"Lastname{n}")
    email = factory.Sequence(lambda n: f"person{n}@partner.example.org")


class EngagementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Engagement

    title = factory.Sequence(lambda n: f"Listening session {n}")
    kind = EngagementType.LISTENING_SESSION
    # 10:00 in Chicago a week ahead: the consoles' forms give an engagement one day, so one that ran
    # past local midnight (as now + 7 days did after 10 pm) could not be saved back unchanged.
    starts_at = factory.LazyFunction(
        lambda: (
            (timezone.now() + timedelta(days=7)).astimezone(CHICAGO).replace(hour=10, minute=0, second=0, microsecond=0)
        )
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    registration_closes_at = factory.LazyAttribute(lambda o: o.starts_at - timedelta(hours=1))
    time_zone = "America/Chicago"
    venue = "Harold Washington Library Center"
    capacity = 2
    district = "Chicago"
    region = "Central"
    state = "IL"
    # Most tests are about a published engagement; a draft is asked for by name.
    status = EngagementStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)
    topic = factory.LazyFunction(lambda: Topic.objects.get(code="naturalization"))
    organiser = factory.SubFactory(StaffFactory, roles=["cro"])


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    engagement = factory.SubFactory(EngagementFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"registrant{n}@example.org")
    status = RegistrationStatus.REGISTERED
