from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")

    def ready(self) -> None:
        from consents.attention import customer_items
        from portal.attention import register_items

        # After a policy revision the customer's home asks them to decide again (LW-9, issue 16).
        register_items(customer_items)
