"""Keep each app's Japanese catalogue complete: extract, merge, compile, or check.

Each app owns `<app>/locale/ja/LC_MESSAGES/django.po` for its Python code and for its
templates, which live under `templates/<audience>/<app>/` (customer, staff, public, emails).
Every other template belongs to the portal app. Django's own makemessages does the work; it is
run in a scratch folder of links that holds exactly the app's files, so that apps never write
into each other's catalogues.

    manage.py i18n_extract            # all apps: update .po files and compile .mo files
    manage.py i18n_extract <app>      # one app
    manage.py i18n_extract --check    # exit 1 if a catalogue is stale or has untranslated text
    manage.py i18n_extract <app> --translations ja.json   # fill msgstr from {msgid: msgstr}
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import tempfile
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


def _project_apps() -> tuple[str, ...]:
    """The project's own apps, the base first (the installed apps whose code is here)."""
    from portal.inventory import project_app_labels

    return tuple(project_app_labels())


AUDIENCES = ("customer", "staff", "public", "emails")
IGNORE = ["migrations/*", "locale/*", "management/*", "__pycache__/*"]


def _template_roots() -> Path:
    return Path(settings.BASE_DIR) / "templates"


def _app_template_paths(app: str) -> list[tuple[Path, str]]:
    """(source, name inside the scratch folder) for the templates an app owns."""
    root = _template_roots()
    found: list[tuple[Path, str]] = []
    if app != "portal":
        for audience in AUDIENCES:
            folder = root / audience / app
            if folder.is_dir():
                found.append((folder, f"templates_{audience}"))
        return found
    others = {a for a in _project_apps() if a != "portal"}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if path.is_dir() or path.suffix not in {".html", ".txt"}:
            continue
        if len(rel.parts) > 2 and rel.parts[0] in AUDIENCES and rel.parts[1] in others:
            continue
        found.append((path, "templates/" + "/".join(rel.parts)))
    return found


def _entries(po_path: Path) -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) of each entry, enough to tell stale or untranslated text."""
    entries = []
    for entry in polib.pofile(str(po_path)):
        msgstr = entry.msgstr or entry.msgstr_plural.get(0, "")
        entries.append((entry.msgid, msgstr, "fuzzy" in entry.flags))
    return entries


class Command(BaseCommand):
    help = "Extract, merge and compile each app's Japanese catalogue (or --check them)."

    def add_arguments(self, parser):
        parser.add_argument("apps", nargs="*", help="some of the project's apps (default: all)")
        parser.add_argument("--check", action="store_true")
        parser.add_argument(
            "--translations",
            help="a JSON file {English msgid: Japanese msgstr} to merge into the catalogue",
        )

    def handle(self, *args, apps, check, translations, **options):
        if translations:
            self.translations = json.loads(Path(translations).read_text(encoding="utf-8"))
        else:
            self.translations = {}
        if shutil.which("xgettext") is None:
            raise CommandError("GNU gettext is needed (Debian: apt-get install gettext)")
        known = _project_apps()
        unknown = set(apps) - set(known)
        if unknown:
            raise CommandError(f"not an app with a catalogue: {', '.join(sorted(unknown))}")
        problems: list[str] = []
        for app in apps or known:
            problems += self._one(app, check=check)
        if problems:
            raise CommandError("\n".join(problems))
        self.stdout.write("catalogues up to date" if check else "catalogues written")

    def _one(self, app: str, *, check: bool) -> list[str]:
        base = Path(settings.BASE_DIR)
        real_locale = base / app / "locale"
        (real_locale / "ja" / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as scratch:
            scratch_path = Path(scratch)
            if check:
                locale = scratch_path / "locale"
                shutil.copytree(real_locale, locale)
            else:
                locale = real_locale
                (scratch_path / "locale").symlink_to(real_locale)
            (scratch_path / "src").symlink_to(base / app)
            for source, name in _app_template_paths(app):
                target = scratch_path / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.symlink_to(source)
            cwd = os.getcwd()
            os.chdir(scratch_path)
            try:
                call_command(
                    "makemessages",
                    locale=["ja"],
                    symlinks=True,
                    ignore_patterns=IGNORE,
                    no_obsolete=True,
                    add_location="file",
                    extensions=["html", "txt", "py"],
                    verbosity=0,
                )
                po = locale / "ja" / "LC_MESSAGES" / "django.po"
                self._tidy(po)
                call_command("compilemessages", locale=["ja"], verbosity=0)
            finally:
                os.chdir(cwd)
            problems = [
                f"{app}: untranslated or fuzzy: {msgid!r}"
                for msgid, msgstr, fuzzy in _entries(po)
                if msgid and (not msgstr or fuzzy)
            ]
            if check:
                real_po = real_locale / "ja" / "LC_MESSAGES" / "django.po"
                old = _entries(real_po) if real_po.exists() else []
                if sorted(old) != sorted(_entries(po)):
                    problems.append(f"{app}: catalogue is stale; run manage.py i18n_extract {app}")
                real_mo = real_locale / "ja" / "LC_MESSAGES" / "django.mo"
                if not real_mo.exists() or not filecmp.cmp(
                    real_mo, locale / "ja" / "LC_MESSAGES" / "django.mo", shallow=False
                ):
                    problems.append(f"{app}: compiled catalogue (django.mo) is stale")
            return problems

    def _tidy(self, po_path: Path) -> None:
        """Give the catalogue a real header and merge translations given on the command line."""
        catalogue = polib.pofile(str(po_path), wrapwidth=100)
        catalogue.metadata.update(
            {
                "Project-Id-Version": "privacy-portal",
                "Language": "ja",
                "Language-Team": "Japanese",
                "Last-Translator": "privacy-portal team",
                "Report-Msgid-Bugs-To": "",
                "PO-Revision-Date": catalogue.metadata.get("POT-Creation-Date", ""),
            }
        )
        catalogue.metadata_is_fuzzy = False
        catalogue.header = "Japanese catalogue of the privacy portal."
        for entry in catalogue:
            if entry.msgid in self.translations:
                value = self.translations[entry.msgid]
                if entry.msgid_plural:
                    entry.msgstr_plural = {0: value}
                else:
                    entry.msgstr = value
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                entry.previous_msgid = None
        catalogue.save()
