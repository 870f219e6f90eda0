from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    # The package shadows the PyPI `requests` library on purpose; nothing in our stack uses it.
    name = "requests"
    label = "requests"
    verbose_name = _("Data-subject requests")
