"""The approvals of requests move to the one approval model of the portal (portal.Approval,
portal.approvals): every row is copied with its state, people, times, reason and comment,
then the old table goes. Reversible: the rows are copied back."""

from django.db import migrations


def _request_type(apps):
    content_type = apps.get_model("contenttypes", "ContentType")
    return content_type.objects.get_or_create(app_label="requests", model="datarequest")[0]


def forward(apps, schema_editor):
    old = apps.get_model("requests", "Approval")
    new = apps.get_model("portal", "Approval")
    request_type = _request_type(apps)
    batch = []
    for a in old.objects.order_by("pk").iterator():
        batch.append(
            new(
                kind=a.kind,
                subject_type=request_type,
                subject_id=a.request_id,
                status=a.status,
                asked_by_id=a.asked_by_id,
                asked_at=a.asked_at,
                reason=a.reason,
                days=a.days,
                decided_by_id=a.decided_by_id,
                # A decided row always had its time; keep the check honest if one did not.
                decided_at=a.decided_at or (None if a.status == "pending" else a.asked_at),
                comment=a.comment,
            )
        )
        if len(batch) >= 1000:
            new.objects.bulk_create(batch)
            batch = []
    new.objects.bulk_create(batch)


def backward(apps, schema_editor):
    old = apps.get_model("requests", "Approval")
    new = apps.get_model("portal", "Approval")
    request_type = _request_type(apps)
    kinds = ("decision", "waiver", "extension", "erasure")
    rows = new.objects.filter(subject_type=request_type, kind__in=kinds).order_by("pk")
    old.objects.bulk_create(
        old(
            request_id=a.subject_id,
            kind=a.kind,
            status=a.status,
            asked_by_id=a.asked_by_id,
            asked_at=a.asked_at,
            reason=a.reason,
            days=a.days,
            decided_by_id=a.decided_by_id,
            decided_at=a.decided_at,
            comment=a.comment,
        )
        for a in rows
    )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0011_approval"),
        ("requests", "0010_package_progress_at"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="Approval"),
    ]
