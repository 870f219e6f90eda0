from django.apps import AppConfig
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from partners.audit_names import LABELS
        from portal.audit_names import labels_register

        # This app's audit actions in words (the admin's audit log).
        labels_register(LABELS)

        from partners.services.records import provision_records_unlink
        from portal.erasure import eraser_register

        # An erased account's provision records keep only their pseudonym (APPI-29).
        eraser_register("partners.provision_records", provision_records_unlink, order=30)

        from portal import navigation

        # The published registry in the footer (LY-1, LY-7); the customer's page and the staff
        # home link this app's pages.
        navigation.link_register(
            "footer", _("Group companies"), "partners:group_companies", order=40
        )
        navigation.link_register(
            "footer", _("Countries and regions data goes to"), "partners:countries", order=50
        )
        navigation.link_register("footer", _("Joint use"), "partners:joint_use", order=60)
        navigation.card_register("dashboard", "customer/partners/dashboard_card.html", order=20)
        navigation.card_register("staff_home", "staff/partners/home_card.html", order=10)

        from partners import inventory

        # The rows of this app's models in the data inventory (LW-1).
        inventory.register()

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

        # Exports stranded by a dead broker or worker.
        stale_work_register("partners.exports", recovery.export_requeue_stale)

        # The partner API's event feed listens to consents and portal.
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
