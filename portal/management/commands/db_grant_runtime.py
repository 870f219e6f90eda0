"""Create or update the runtime database role and its privileges (LW-5, portal/dbroles.py).

    DATABASE_OWNER_URL=postgres://owner:...@host/db python manage.py db_grant_runtime \
        --role portal_runtime

Connects as DATABASE_OWNER_URL. Creates the role when it is missing (when the owner may create
roles; otherwise an administrator creates it first), refuses a role that is a superuser, may
create roles or databases or is a member of the owner, then grants: SELECT and INSERT on the
append-only ledgers, SELECT on owner-configured tables, SELECT, INSERT, UPDATE and DELETE on
the rest (and on future tables), EXECUTE on the erasure and retention functions. Running it
again changes nothing. The password, when the role is created or should change, comes from
the environment variable DATABASE_RUNTIME_PASSWORD (not the command line, which other users
of the machine can see).
"""

import os

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from portal import dbroles


class Command(BaseCommand):
    help = "Create or update the runtime database role and its grants (as DATABASE_OWNER_URL)."

    def add_arguments(self, parser):
        parser.add_argument("--role", required=True, help="name of the runtime role")

    def handle(self, *args, **options):
        if not dbroles.owner_configured(connection):
            raise CommandError("set DATABASE_OWNER_URL (and a postgres:// DATABASE_URL) first")
        password = os.environ.get("DATABASE_RUNTIME_PASSWORD") or None
        try:
            with dbroles.owner_cursor(connection) as cursor:
                done = dbroles.runtime_grant(cursor, role=options["role"], password=password)
        except dbroles.RoleError as exc:
            raise CommandError(str(exc)) from None
        for line in done:
            self.stdout.write(line)
