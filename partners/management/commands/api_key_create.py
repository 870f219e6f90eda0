"""Make an API key for a partner system; the key is the last line of the output."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from partners.api.commands import partner_find, system_for
from partners.api.keys import api_key_create
from partners.errors import PartnerError


class Command(BaseCommand):
    help = "Make a partner API key (shown once; only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("--partner", required=True, help="The partner's id or exact name.")
        parser.add_argument("--scopes", required=True, help="decide,provide,consents,events")
        parser.add_argument("--system", help="The system's name (made when missing).")
        parser.add_argument("--label", default="")
        parser.add_argument(
            "--days", type=int, help="Valid for this many days (default: no expiry)."
        )
        parser.add_argument("--rate-limit", type=int, help="Calls per minute for this key.")

    def handle(self, *args, **options):
        try:
            partner = partner_find(options["partner"])
            system = system_for(partner, options.get("system"))
            expires = (
                timezone.now() + datetime.timedelta(days=options["days"])
                if options.get("days")
                else None
            )
            row, key = api_key_create(
                system=system,
                scopes=options["scopes"],
                actor=None,
                label=options["label"],
                expires_at=expires,
                rate_limit_per_minute=options.get("rate_limit"),
            )
        except PartnerError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Key {row.prefix} for {system} with scopes {', '.join(row.scopes)}:")
        self.stdout.write(key)
