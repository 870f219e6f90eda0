from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    # The package shadows the PyPI `requests` library on purpose; nothing in our stack uses it.
    name = "requests"
    label = "requests"
    verbose_name = _("Data-subject requests")

    def ready(self) -> None:
        from portal.recovery import stale_work_register
        from requests import approval_kinds, recovery

        approval_kinds.register()

        # Packages and erased-mail scrubs stranded by a dead broker or worker (issue 10).
        stale_work_register("requests.packages", recovery.package_requeue_stale)
        stale_work_register("requests.erased_mail", recovery.erased_mail_scrub_stale)
