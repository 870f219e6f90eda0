from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        from consents.sections import register
        from partners.views.customer import consent_section

        # The consent page shows, per partner, what the customer allowed and what was
        # provided (LY-1, LY-4, LY-7).
        register(consent_section)
        # The partner API's event feed listens to consents and portal (issue 14).
        from partners.api.events import connect

        connect()
