"""On PostgreSQL, refuse UPDATE and DELETE on the consent ledger at the database (LW-9, LY-1).

Like the audit log (portal 0002): the ORM refuses them too.
"""

from django.db import migrations

from portal.appendonly import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("consents", "0002_ledger")]

    operations = [
        append_only_trigger("consents_consentevent", erasable=("ip_address", "user_agent"))
    ]
