"""Repairs rows written before two fixes: referral close-out notes stored unmasked (referral_close
now masks with mask_pii) and contact merge chains (contact_merge now re-points contacts merged into
the one it folds). Reversing is a no-op: the unmasked text and the old pointers are not kept."""

from django.db import migrations

from contactcenter.audit.pii import mask_pii


def mask_close_notes(apps) -> int:
    """Mask each referral's close-out note as referral_close does; returns how many changed."""
    CaseReferral = apps.get_model("outreach", "CaseReferral")
    limit = CaseReferral._meta.get_field("close_note").max_length
    changed = 0
    for pk, note in CaseReferral.objects.exclude(close_note="").values_list("pk", "close_note").iterator():
        masked = mask_pii(note)[:limit]
        if masked != note:
            CaseReferral.objects.filter(pk=pk).update(close_note=masked)
            changed += 1
    return changed


def flatten_merge_chains(apps) -> int:
    """Point every merged contact at the live contact at the end of its chain (A→B→C becomes
    A→C). A chain that loops back on itself has no live end and is left as it is. Returns how
    many contacts were re-pointed."""
    Contact = apps.get_model("outreach", "Contact")
    points_at = dict(Contact.objects.filter(merged_into__isnull=False).values_list("pk", "merged_into_id"))
    changed = 0
    for pk, target in points_at.items():
        seen = {pk}
        final = target
        while final in points_at:
            if final in seen:  # a cycle: no live contact to point at
                final = None
                break
            seen.add(final)
            final = points_at[final]
        if final is not None and final != target:
            Contact.objects.filter(pk=pk).update(merged_into_id=final)
            changed += 1
    return changed


def forwards(apps, schema_editor):
    mask_close_notes(apps)
    flatten_merge_chains(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("outreach", "0002_engagement_cancel_and_change"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
