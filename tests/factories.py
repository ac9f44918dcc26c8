import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from contactcenter.models import StaffProfile, Tier

PASSWORD = "correct horse battery staple"


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@ncsc.example.gov")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        roles = list(extracted or [])
        self.is_staff = self.is_superuser = "administrator" in [str(r) for r in roles]
        self.save()
        if roles:
            self.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
        tier = Tier.TIER2 if "iso" in roles else Tier.TIER1 if "csr" in roles else Tier.NONE
        StaffProfile.objects.create(user=self, tier=tier, languages=["en", "es"])


def queue_settings_form(name: str, **changes) -> dict:
    """A queue's settings page as a supervisor submits it: every setting as saved, with their changes."""
    from contactcenter.models import QueueConfig
    from contactcenter.routing.queue_settings import QUEUE_EDITABLE

    config = QueueConfig.objects.get(name=name)
    data = {field: getattr(config, field) for field in QUEUE_EDITABLE}
    data.update(overflow_after_seconds=config.overflow_after_seconds or "", overflow_to=[], **changes)
    return {key: value for key, value in data.items() if value is not None}
