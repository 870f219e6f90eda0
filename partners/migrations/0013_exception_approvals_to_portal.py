"""The decision on an exception B-F becomes a portal.Approval (kind "exception"), the one
approval model of the portal: each exception gets the approval it was asked with (the
requester, the time and the justification as the reason) and, when decided, its decision
(provided -> approved, rejected -> returned, who, when, the note). Then the exception's own
decision columns go. Reversible."""

from django.db import migrations

STATUS = {"pending": "pending", "provided": "approved", "rejected": "returned"}


def _exception_type(apps):
    content_type = apps.get_model("contenttypes", "ContentType")
    return content_type.objects.get_or_create(app_label="partners", model="exceptionrequest")[0]


def forward(apps, schema_editor):
    exception = apps.get_model("partners", "ExceptionRequest")
    approval = apps.get_model("portal", "Approval")
    exception_type = _exception_type(apps)
    approval.objects.bulk_create(
        approval(
            kind="exception",
            subject_type=exception_type,
            subject_id=e.pk,
            status=STATUS[e.status],
            asked_by_id=e.requested_by_id,
            asked_at=e.requested_at,
            reason=e.justification,
            decided_by_id=e.decided_by_id,
            decided_at=e.decided_at or (None if e.status == "pending" else e.requested_at),
            comment=e.decision_note,
        )
        for e in exception.objects.order_by("pk").iterator()
    )


def backward(apps, schema_editor):
    exception = apps.get_model("partners", "ExceptionRequest")
    approval = apps.get_model("portal", "Approval")
    back = {v: k for k, v in STATUS.items()}
    rows = approval.objects.filter(subject_type=_exception_type(apps), kind="exception")
    for a in rows.order_by("pk"):
        exception.objects.filter(pk=a.subject_id).update(
            status=back[a.status],
            decided_by_id=a.decided_by_id,
            decided_at=a.decided_at,
            decision_note=a.comment,
        )
    rows.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0011_approval"),
        ("partners", "0012_api"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.RemoveConstraint(
            model_name="exceptionrequest", name="partners_exception_approver_differs"
        ),
        migrations.RemoveField(model_name="exceptionrequest", name="decided_at"),
        migrations.RemoveField(model_name="exceptionrequest", name="decided_by"),
        migrations.RemoveField(model_name="exceptionrequest", name="decision_note"),
        migrations.RemoveField(model_name="exceptionrequest", name="status"),
    ]
