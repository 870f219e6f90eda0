"""Words of Django's admin and of third-party apps that the portal's catalogue says better in
Japanese, or says at all (issue 16, the Japanese scan of tests/browser/test_walk.py).

The portal's catalogue comes first among the installed apps, so its msgstr wins over Django's
and fills what a third-party app has no Japanese for. The msgids are the apps' own, verbatim;
`gettext_noop` only marks them for `manage.py i18n_extract portal`.
"""

from django.utils.translation import gettext_noop

ADMIN = (
    # Django's admin: full-width punctuation after a Japanese word.
    gettext_noop("Toggle theme (current theme: auto)"),
    gettext_noop("Toggle theme (current theme: light)"),
    gettext_noop("Toggle theme (current theme: dark)"),
    gettext_noop("Action:"),
    gettext_noop("Date:"),
    gettext_noop("Time:"),
)

CELERY_BEAT = (
    # django-celery-beat (no Japanese catalogue): its app and models in the admin's index.
    gettext_noop("Periodic Tasks"),
    gettext_noop("periodic task"),
    gettext_noop("periodic tasks"),
    gettext_noop("periodic task track"),
    gettext_noop("periodic task tracks"),
    gettext_noop("crontab"),
    gettext_noop("crontabs"),
    gettext_noop("interval"),
    gettext_noop("intervals"),
    gettext_noop("solar event"),
    gettext_noop("solar events"),
    gettext_noop("clocked"),
)

AXES = (
    # django-axes (no Japanese catalogue): its models in the admin's index.
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
)
