# The de-identified export computes its keyed pseudonyms in PostgreSQL with pgcrypto's
# hmac(); pgcrypto is a trusted extension, so the database owner may create it.
from django.contrib.postgres.operations import CryptoExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0009_provision_record_links_protected"),
    ]

    operations = [CryptoExtension()]
