from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    # The package shadows the PyPI `requests` library on purpose; nothing in our stack uses it.
    name = "requests"
    label = "requests"
    verbose_name = _("Data-subject requests")

    def ready(self) -> None:
        from portal.audit_names import labels_register, renamed_register
        from requests.audit_names import LABELS, RENAMED

        # Old rows of the audit log under their current names, and every action in words
        # (the admin's audit log).
        renamed_register(RENAMED)
        labels_register(LABELS)

        from portal.erasure import eraser_register
        from requests.services.erasure import requests_rows_erase

        # An erased account's requests stay as records, with the personal text blanked.
        eraser_register("requests", requests_rows_erase, order=40)

        from portal import navigation

        navigation.link_register("customer", _("My requests"), "requests:list", order=30)
        navigation.link_register("staff", _("Request queue"), "requests:staff_queue", order=20)
        navigation.link_register(
            "footer", _("Contact point for personal information"), "requests:contact", order=15
        )
        navigation.link_register(
            "footer", _("Transparency report"), "requests:transparency", order=65
        )
        navigation.page_register("contact", "requests:contact")
        navigation.page_register("transparency", "requests:transparency")
        navigation.card_register("dashboard", "customer/requests/dashboard_card.html", order=40)
        navigation.card_register("staff_home", "staff/requests/home_card.html", order=20)
        # The outbox's failed mail, next to the request jobs that send most of it.
        navigation.card_register("staff_home", "staff/requests/jobs_mail_card.html", order=30)

        from requests import inventory

        # The rows of this app's models in the data inventory (LW-1).
        inventory.register()

        from portal.recovery import stale_work_register
        from requests import approval_kinds, recovery

        approval_kinds.register()

        # Packages and erased-mail scrubs stranded by a dead broker or worker.
        stale_work_register("requests.packages", recovery.package_requeue_stale)
        stale_work_register("requests.erased_mail", recovery.erased_mail_scrub_stale)

        from portal.attention import register_counts, register_items
        from requests.attention import customer_items, staff_counts

        # The customer's home lists what waits on them; the staff home, the queue's figures.
        register_items(customer_items)
        register_counts(staff_counts)
