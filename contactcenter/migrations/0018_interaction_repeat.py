from datetime import timedelta

from django.db import migrations, models, transaction
from django.db.models import Exists, Max, OuterRef

BATCH = 20_000
RECEIPT = "receipt"
REPEAT_WINDOW = timedelta(days=7)  # models.REPEAT_WINDOW when this was written


def mark_repeated_contacts(apps, schema_editor, first_pk=0):
    """Set the marker on every contact (from id first_pk on) another first contact about its receipt
    number followed within the window: one set-based UPDATE per batch of ids, each batch committed on
    its own. It only ever sets it, so running it again is harmless (seed_ledger calls it too).
    The same expression as contactcenter.ledger.services.followed_by_repeat_expression (historical models here)."""
    Interaction = apps.get_model("contactcenter", "Interaction")
    InteractionIdentifier = apps.get_model("contactcenter", "InteractionIdentifier")
    later_about_it = InteractionIdentifier.objects.filter(
        kind=RECEIPT,
        value=OuterRef("value"),
        interaction__parent__isnull=True,
        interaction__occurred_at__gt=OuterRef(OuterRef("occurred_at")),
        interaction__occurred_at__lte=OuterRef(OuterRef("occurred_at")) + REPEAT_WINDOW,
    )
    repeated = Exists(
        InteractionIdentifier.objects.filter(interaction=OuterRef("pk"), kind=RECEIPT).filter(Exists(later_about_it))
    )
    last = Interaction.objects.aggregate(last=Max("pk"))["last"] or 0
    for low in range(first_pk, last + 1, BATCH):
        with transaction.atomic():
            Interaction.objects.filter(pk__gte=low, pk__lt=low + BATCH).filter(repeated).update(followed_by_repeat=True)


class Migration(migrations.Migration):
    # Each backfill batch commits on its own: a million rows never sit in one transaction.
    atomic = False

    dependencies = [
        ("contactcenter", "0017_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="followed_by_repeat",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.RunPython(mark_repeated_contacts, migrations.RunPython.noop, elidable=True),
        # Built after the backfill, so the batches do not maintain it row by row.
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                condition=models.Q(("parent__isnull", True)),
                fields=["occurred_at", "outcome", "followed_by_repeat", "id"],
                name="interaction_first_contact_idx",
            ),
        ),
    ]
