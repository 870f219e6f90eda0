# The staff queue's order as a partial index over open requests.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("requests", "0005_principal"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="datarequest",
            index=models.Index(
                condition=models.Q(
                    (
                        "status__in",
                        (
                            "submitted",
                            "verifying",
                            "awaiting_customer",
                            "awaiting_payment",
                            "in_review",
                            "awaiting_approval",
                        ),
                    )
                ),
                fields=["due_at", "id"],
                name="request_queue_open_idx",
            ),
        ),
    ]
