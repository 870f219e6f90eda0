"""Settings for the privacy-operations portal.

Everything that differs between a laptop, CI and production comes from the environment
(django-environ). Every integration has an embedded default so that a fresh machine runs the
portal with no services: SQLite, Celery's filesystem broker and mail on the console. A value
that cannot be parsed stops the start with a message naming the variable.
"""

from pathlib import Path

import environ
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """A strict boolean: anything but a known spelling is an error, not a silent False."""
    raw = env.str(name, default=None)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env.str(name, default=None)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None


def env_parsed(name: str, default: str, parse):
    raw = env.str(name, default=default)
    try:
        return parse(raw)
    except Exception as exc:  # any parse failure is a configuration error naming the variable
        raise ImproperlyConfigured(f"{name}: cannot use {raw!r} ({exc})") from None


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY: must be set when DJANGO_DEBUG is false")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Where the portal is reached from outside; used for links in mail sent by workers.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "portal.apps.PortalConfig",
    "consents.apps.ConsentsConfig",
    "partners.apps.PartnersConfig",
    "requests.apps.RequestsConfig",
    "incidents.apps.IncidentsConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "axes",
    "csp",
    # htmx, served from our origin (its static file) for pages that update in place.
    "django_htmx",
    # Second factor: TOTP apps, recovery codes (static tokens) and passkeys.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content Security Policy on every response (see CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Caps multipart bodies before the CSRF check reads them (requests/uploads.py).
    "requests.uploads.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor in this session.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.middleware.RequestContextMiddleware",
    # Sec-GPC: 1 withdraws analytics and third-party provision (LW-7); needs the user and the
    # request context above.
    "consents.middleware.GlobalPrivacyControlMiddleware",
    # Staff, and customers who turned it on, finish signing in with their second factor
    # before any other page (portal.mfa).
    "portal.mfa.SecondFactorMiddleware",
    # django-axes must come last: it turns a lockout into its own response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.site",
                "consents.context_processors.consents",
            ],
        },
    }
]

DATABASES = {
    "default": env_parsed(
        "DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}", environ.Env.db_url_config
    )
}
if DATABASES["default"].get("ENGINE") not in {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}:
    raise ImproperlyConfigured("DATABASE_URL: use postgres://... or sqlite:///...")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Statements run through portal.prepared.prepared_cursor() (the consent decision) are
    # prepared by the server after five runs on a connection; Django's own cursors bind on
    # the client and never prepare, so this changes nothing else.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)

# Two database roles (LW-5, portal/dbroles.py): DATABASE_URL is the role the portal runs as,
# which owns nothing; DATABASE_OWNER_URL, when set, is the role that owns the tables, used by
# `migrate` and `db_grant_runtime`. Same server and database, other credentials.
DATABASE_OWNER = None
if env.str("DATABASE_OWNER_URL", default=""):
    _owner = env_parsed("DATABASE_OWNER_URL", "", environ.Env.db_url_config)
    _runtime = DATABASES["default"]
    if _owner.get("ENGINE") != "django.db.backends.postgresql" or any(
        str(_owner.get(key) or "") != str(_runtime.get(key) or "")
        for key in ("ENGINE", "NAME", "HOST", "PORT")
    ):
        raise ImproperlyConfigured(
            "DATABASE_OWNER_URL: must be a postgres:// URL to the same server and database "
            "as DATABASE_URL, with the owner role's credentials"
        )
    DATABASE_OWNER = {
        "USER": _owner["USER"],
        "PASSWORD": _owner.get("PASSWORD", ""),
        "RUNTIME_USER": _runtime.get("USER", ""),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "portal.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Permissions in one query instead of ModelBackend's two; signs nobody in.
    "portal.backends.PermissionsBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"

# Throttling of failed sign-ins (django-axes, portal.signin_throttle): five failures of one
# account from one address pause that pair only (the owner elsewhere and other accounts from
# that address go on); the pause starts at a quarter of an hour and doubles with each further
# lock of the pair within a day.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_MINUTES = env_int("AXES_COOLOFF_MINUTES", 15)
AXES_COOLOFF_TIME = "portal.signin_throttle.sign_in_cool_off"
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "portal.signin_throttle.sign_in_username"
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_ip"
AXES_LOCKOUT_CALLABLE = "portal.signin_throttle.lockout_response"
# Each pair's lock expires on its own (not at the pause of whoever signs in next), and tries
# during a pause neither count nor extend it, so the page can say when it ends.
AXES_USE_ATTEMPT_EXPIRATION = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_TEMPLATE = "public/accounts/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # our own AccessLogEntry is the access log (LW-2.2B)
AXES_VERBOSE = False

# Second factor (portal.mfa): authenticator apps (TOTP) and passkeys (WebAuthn) with
# recovery codes. Required of privacy staff and administrators; customers may turn it on.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Privacy portal")
MFA_RECOVERY_CODE_COUNT = 10
# Passkeys belong to the site's host name and origin. Browsers offer them only on https://
# or on localhost; a development SITE_URL on http://127.0.0.1 falls back to localhost.
_passkey_origin = (
    SITE_URL if SITE_URL.startswith(("https://", "http://localhost")) else "http://localhost:8000"
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.list("OTP_WEBAUTHN_ALLOWED_ORIGINS", default=[_passkey_origin])
OTP_WEBAUTHN_RP_ID = (
    env.str("OTP_WEBAUTHN_RP_ID", default="")
    or (OTP_WEBAUTHN_ALLOWED_ORIGINS[0].split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0])
)
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
# A passkey is a second factor here, after the password, never a way around it (and so
# around the sign-in throttling).
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# No script reads the language cookie; the server sets it (portal.views.site).
LANGUAGE_COOKIE_HTTPONLY = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names in production (served by whitenoise); plain names in
    # development and tests, where the dev server and live_server serve from the app folders.
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded identity documents and generated packages never live under a public media root:
# they are served only through permission-checked views.
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(VAR_DIR / "private")))

# Mail. EMAIL_URL picks the backend: consolemail:// (default), smtp://user:pw@host:587/?tls=True ...
_email = env_parsed("EMAIL_URL", "consolemail://", environ.Env.email_url_config)
vars().update(_email)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="privacy@example.jp")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

GA_MEASUREMENT_ID = env.str("GA_MEASUREMENT_ID", default="")

# Celery. The filesystem broker needs no service; production and CI use redis://.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL.split("://", 1)[0] not in {"filesystem", "redis", "rediss", "memory"}:
    raise ImproperlyConfigured(
        f"CELERY_BROKER_URL: unsupported scheme in {CELERY_BROKER_URL!r} "
        "(use redis://, rediss:// or filesystem://)"
    )
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "celery" / "broker"
    for _sub in ("queue", "processed"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# Tests run tasks in-process unless they start a real worker (tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Where tasks go when nobody names a queue; a test's worker and beat use a queue of their own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Publishing from a web request must not hang on a dead broker: try once, briefly, and leave
# the work to the database-driven sweeps (the outbox is re-sent by a periodic job).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 2)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Without this, kombu retries a refused connection until the timeout above runs out, so
    # every publish on a dead broker cost ~2 s (once per mail of a web request). No retry: the
    # publish fails at once, and the database-driven sweeps send the work later. Workers keep
    # their own reconnection loop (broker_connection_max_retries), which this does not touch.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "max_retries": env_int("CELERY_BROKER_PUBLISH_CONNECT_RETRIES", 0)
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker normally turns what tasks print into log lines; bin/run turns that off so that the
# console mail backend's mail appears in its terminal, apart from the worker's log.
CELERY_WORKER_REDIRECT_STDOUTS = env_bool("CELERY_WORKER_REDIRECT_STDOUTS", default=True)
# Background work (exports, packages, mail scrubs) queued or running with no progress for this
# many minutes is handed to a worker again by the stale-work sweep (portal/recovery.py).
BACKGROUND_STALE_AFTER_MINUTES = env_int("BACKGROUND_STALE_AFTER_MINUTES", 15)
if BACKGROUND_STALE_AFTER_MINUTES < 1:
    raise ImproperlyConfigured("BACKGROUND_STALE_AFTER_MINUTES: must be at least 1")

# Filing without an account: the one-time code's life, how many codes an address and a network
# address may ask for per hour, how long a proved address may file, and the signed link's life;
# how old a letter's receipt date may be when staff type it in; how long the public
# transparency report is cached.
REQUESTS_CODE_MINUTES = env_int("REQUESTS_CODE_MINUTES", 10)
REQUESTS_CODES_PER_ADDRESS = env_int("REQUESTS_CODES_PER_ADDRESS", 3)
REQUESTS_CODES_PER_NETWORK = env_int("REQUESTS_CODES_PER_NETWORK", 10)
REQUESTS_VERIFIED_MINUTES = env_int("REQUESTS_VERIFIED_MINUTES", 60)
REQUESTS_REQUESTER_LINK_DAYS = env_int("REQUESTS_REQUESTER_LINK_DAYS", 30)
REQUESTS_OFFLINE_MAX_AGE_DAYS = env_int("REQUESTS_OFFLINE_MAX_AGE_DAYS", 90)
TRANSPARENCY_CACHE_SECONDS = env_int("TRANSPARENCY_CACHE_SECONDS", 3600)

# Security. Production (DEBUG off) gets the secure defaults; each can be turned off, e.g.
# behind a proxy that terminates TLS and already redirects.
_secure = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=_secure)
# Load balancers probe the instances over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=_secure)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=_secure)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _secure else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _secure
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=_secure)
if env_bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Content Security Policy (django-csp 4): scripts and styles only from our own origin, no
# inline script and no inline style; a small script that must stay inline carries the
# request's nonce ({{ request.csp_nonce }}). Google Analytics' origins are allowed only when
# analytics is configured (GA_MEASUREMENT_ID); the snippet still loads only after consent.
_GA_SCRIPT = ["https://www.googletagmanager.com"] if GA_MEASUREMENT_ID else []
_GA_CONNECT = (
    [
        "https://www.google-analytics.com",
        "https://*.google-analytics.com",
        "https://*.analytics.google.com",
        "https://www.googletagmanager.com",
    ]
    if GA_MEASUREMENT_ID
    else []
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE: django-csp adds this request's nonce only when a page uses it.
        "script-src": ["'self'", NONCE, *_GA_SCRIPT],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *_GA_CONNECT],
        "connect-src": ["'self'", *_GA_CONNECT],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"

# Uploads are held in memory up to this size; the identity-document limit is separate.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Retention of the access log (LW-2.2B), in days.
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 365)

# Requests: identity documents up to this size (bytes); disclosure packages downloadable for
# this many days; a full refusal on grounds (1)-(3) refunds a paid fee unless this is off
# (LW-6.4).
REQUESTS_DOCUMENT_MAX_BYTES = env_int("REQUESTS_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)
REQUESTS_PACKAGE_DAYS = env_int("REQUESTS_PACKAGE_DAYS", 14)
REQUESTS_REFUND_ON_REFUSAL = env_bool("REQUESTS_REFUND_ON_REFUSAL", default=True)

# Partners: provision records are kept 3 years (APPI Art. 29, Rule 20) and then
# purged; the per-partner pseudonym keys of de-identified exports (LY-5) are derived from this
# secret, which never lives in the database.
PROVISION_RECORD_RETENTION_DAYS = env_int("PROVISION_RECORD_RETENTION_DAYS", 3 * 365)
PARTNERS_PSEUDONYM_SECRET = env.str("PARTNERS_PSEUDONYM_SECRET", default="") or SECRET_KEY
PARTNERS_EXPORT_CHUNK_SIZE = env_int("PARTNERS_EXPORT_CHUNK_SIZE", 2000)
# Export files (de-identified CSV) are deleted this many days after the export finished.
PARTNERS_EXPORT_FILE_DAYS = env_int("PARTNERS_EXPORT_FILE_DAYS", 30)

# Partner API: calls per minute per key (a key may set its own), and webhooks:
# the first retry after this many seconds, doubling up to the cap, for a bounded time.
PARTNERS_API_RATE_LIMIT = env_int("PARTNERS_API_RATE_LIMIT", 600)
PARTNERS_WEBHOOK_BACKOFF_SECONDS = env_parsed("PARTNERS_WEBHOOK_BACKOFF_SECONDS", "10", float)
PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS = env_int("PARTNERS_WEBHOOK_BACKOFF_MAX_SECONDS", 3600)
PARTNERS_WEBHOOK_RETRY_SECONDS = env_int("PARTNERS_WEBHOOK_RETRY_SECONDS", 24 * 3600)
PARTNERS_WEBHOOK_TIMEOUT_SECONDS = env_parsed("PARTNERS_WEBHOOK_TIMEOUT_SECONDS", "5", float)
# Plain http:// endpoints only on loopback, and only when allowed (development and tests).
PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP = env_bool("PARTNERS_WEBHOOK_ALLOW_LOOPBACK_HTTP", DEBUG)
# Endpoints whose host resolves to a loopback, private, link-local or otherwise non-public
# address are refused (at registration and at each delivery) unless this is on (tests).
PARTNERS_WEBHOOK_ALLOW_PRIVATE = env_bool("PARTNERS_WEBHOOK_ALLOW_PRIVATE", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
