from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from incidents.audit_names import LABELS
        from portal.audit_names import labels_register

        # This app's audit actions in words (the admin's audit log).
        labels_register(LABELS)

        from portal import navigation

        navigation.link_register(
            "footer", _("Incident announcements"), "incidents:announcements", order=70
        )
        navigation.card_register("staff_home", "staff/incidents/home_card.html", order=40)

        from incidents import inventory

        # The rows of this app's models in the data inventory (LW-1).
        inventory.register()

        from incidents.views.customer import dashboard_section
        from portal.sections import register

        # A person who was told of an incident sees it on their home page (APPI-26).
        register("dashboard", dashboard_section)

        from incidents.notices import notices_requeue_stale
        from portal.recovery import stale_work_register

        # A notice job queued while the broker was down, or left by a dead worker, goes to a
        # worker again (the stale-work sweep).
        stale_work_register("incidents.notices", notices_requeue_stale)
