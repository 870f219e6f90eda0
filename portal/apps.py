from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from portal import navigation

        # The base's own card between the feature apps' cards on the customer's page.
        navigation.card_register("dashboard", "customer/profile_card.html", order=30)
        from portal import receivers  # noqa: F401  (sign-in events -> access log)
