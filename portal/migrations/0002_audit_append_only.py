"""On PostgreSQL, refuse UPDATE and DELETE on the audit log at the database (LW-5); only an
account erasure may blank the IP address a customer acted from."""

from django.db import migrations

from portal.appendonly import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [append_only_trigger("portal_auditevent", erasable=("ip_address",))]
