"""Fill the database with a believable demo. Safe to run again: nothing is duplicated."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule


class Command(BaseCommand):
    help = "Load demo data (customers, staff, an administrator, and each app's demo records)."

    def handle(self, *args, **options):
        self.stdout.write("Demo sign-ins (email, password):")
        # Apps load in INSTALLED_APPS order, which follows their dependencies.
        for config in apps.get_app_configs():
            if config.module and module_has_submodule(config.module, "demo"):
                import_module(f"{config.name}.demo").load(out=self.stdout.write)
        self.stdout.write(self.style.SUCCESS("Demo data is in place."))
