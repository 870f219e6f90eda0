from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsentsConfig(AppConfig):
    name = "consents"
    verbose_name = _("Consents")

    def ready(self) -> None:
        from consents.audit_names import LABELS
        from portal.audit_names import labels_register

        # This app's audit actions in words (the admin's audit log).
        labels_register(LABELS)

        from consents.services import consent_devices_erase
        from portal.erasure import eraser_register

        # An erased account's consent events keep the choice, not the address or device.
        eraser_register("consents.devices", consent_devices_erase, order=20)

        from portal import navigation

        # The consent page in the menu, the policy pages in the footer; on every page the
        # cookie choices decide the style sheet, analytics and the banner (LW-4, LW-9).
        navigation.link_register("customer", _("Consents"), "consents:consent_page", order=40)
        navigation.link_register("footer", _("Privacy policy"), "consents:policy", order=10)
        navigation.page_register("privacy_policy", "consents:policy")
        navigation.link_register("footer", _("Policy history"), "consents:policy_history", order=20)
        navigation.link_register("footer", _("Cookie settings"), "consents:cookies", order=30)
        navigation.card_register("dashboard", "customer/consents/dashboard_card.html", order=10)
        navigation.include_register("head", "public/consents/head.html", order=10)
        navigation.include_register("page_top", "public/consents/page_top.html", order=10)
        navigation.include_register("page_end", "public/consents/page_end.html", order=10)

        from consents import inventory

        # The rows of this app's models in the data inventory (LW-1).
        inventory.register()

        from django.db.models.signals import m2m_changed, post_delete, post_save

        from consents.models import PolicyVersion, Purpose
        from consents.selectors import published_forget

        # Each process's copy of the published versions (with the purposes they widen) is
        # dropped when one of them changes here.
        post_save.connect(published_forget, sender=PolicyVersion, dispatch_uid="consents.pv")
        post_delete.connect(published_forget, sender=PolicyVersion, dispatch_uid="consents.pvd")
        post_save.connect(published_forget, sender=Purpose, dispatch_uid="consents.pu")
        m2m_changed.connect(
            published_forget,
            sender=PolicyVersion.widened_purposes.through,
            dispatch_uid="consents.pvw",
        )

        from consents.attention import customer_items
        from portal.attention import register_items

        # After a policy revision the customer's home asks them to decide again (LW-9).
        register_items(customer_items)
