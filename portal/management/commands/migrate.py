"""`migrate`, run as the owner role when DATABASE_OWNER_URL is set (portal/dbroles.py), then
the runtime role (the user of DATABASE_URL) is granted what it needs on the new tables."""

from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import connections, transaction

from portal import dbroles


class Command(MigrateCommand):
    help = MigrateCommand.help + " As the owner role of DATABASE_OWNER_URL when it is set."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        with dbroles.as_owner(connection):
            super().handle(*args, **options)
            role = dbroles.runtime_role_name()
            if dbroles.owner_configured(connection) and role:
                with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
                    done = dbroles.runtime_grant(cursor, role=role)
                if options["verbosity"] >= 2:
                    for line in done:
                        self.stdout.write(f"  {line}")
