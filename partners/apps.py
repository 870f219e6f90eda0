from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from consents.sections import register, register_purpose_uses
        from partners.selectors import consent_bound_recipients
        from partners.views.customer import consent_section

        # The consent page shows, per partner, what the customer allowed and what was
        # provided (LY-1, LY-4, LY-7).
        register(consent_section)
        # ... and under each choice, which recipients the gate asks it for.
        register_purpose_uses(consent_bound_recipients)

        post_migrate.connect(retention_sync, sender=self)

        from partners import approval_kinds

        # Exceptions B-F wait in the privacy administrators' one approvals inbox (LW-4.1).
        approval_kinds.register()

        from partners import recovery
        from portal.recovery import stale_work_register

        # Exports stranded by a dead broker or worker (issue 10).
        stale_work_register("partners.exports", recovery.export_requeue_stale)

        # The partner API's event feed listens to consents and portal (issue 14).
        from partners.api.events import connect

        connect()

        # Next to a shared use that starts with the customer's confirmation, the consent
        # page links the page that makes the one-time code (LY-4).
        from consents.sections import register_purpose_notes
        from partners.api.customer_views import confirmation_notes

        register_purpose_notes(confirmation_notes)


def retention_sync(sender, using, **kwargs) -> None:
    """After `migrate` (run as the owner role, portal/dbroles.py), the database's retention
    period of provision records follows settings.PROVISION_RECORD_RETENTION_DAYS: the purge
    function refuses to delete younger records whatever the runtime role asks (APPI-29)."""
    from django.conf import settings
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(t, 'UPDATE')"
            " FROM to_regclass('partners_provisionrecord_retention') t WHERE t IS NOT NULL"
        )
        row = cursor.fetchone()
        if row and row[0]:  # the owner; the runtime role (a flush in tests) may not
            cursor.execute(
                "UPDATE partners_provisionrecord_retention SET days = %s",
                [int(settings.PROVISION_RECORD_RETENTION_DAYS)],
            )
