"""Settings for Visitor Management.

Everything that differs between a laptop and production comes from the environment;
the defaults are production-safe (DEBUG off, localhost only, no built-in SECRET_KEY).
`make run` and the tests switch on what development needs explicitly (DEBUG, a local key).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


# django-environ reads and casts every variable below. Booleans: true/yes/on/1 (any case)
# and other non-zero numbers are on, anything else off. Lists: comma-separated, spaces
# around items ignored.
env = environ.Env()


def literal(name, default=""):
    """A free-text value exactly as written. django-environ reads a value beginning with "$"
    as the name of another variable; for a secret that would silently swap the key (Django's
    own get_random_secret_key starts one in fifty keys with "$"), so secrets, passwords and
    URLs bypass it."""
    return os.environ.get(name, default)


DEBUG = env.bool("DEBUG", default=False)

# No fallback key, not even with DEBUG on: a known key makes sessions and kiosk cookies
# forgeable. `make run` keeps a random key of its own in .dev-secret-key; tests set one.
SECRET_KEY = literal("SECRET_KEY")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment (e.g. "
        "SECRET_KEY=\"$(python3 -c 'import secrets; print(secrets.token_urlsafe(64))')\"); "
        "`make run` sets one for local development."
    )

ALLOWED_HOSTS = [
    host
    for host in env.list(
        "ALLOWED_HOSTS", cast=str.strip, default=["localhost", "127.0.0.1", "[::1]", "testserver"]
    )
    if host
]

# The public address admins paste into Entra ID is built from this.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# The product's apps come first so that their templates (registration/, 404.html, …)
# win over the ones Django's admin ships under the same names.
INSTALLED_APPS = [
    "visitor_mgmt.apps.VisitorMgmtConfig",
    "scim_hosts.apps.ScimHostsConfig",
    "sso.apps.SsoConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_scim",
    "axes",
]

# Single sign-on (wired by name only; the core never imports sso): password sign-in that
# respects an account's "require single sign-on", and the backend SSO sessions run under.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Django's session, authentication and messages middleware, skipped for the
    # bearer-token paths in STATELESS_PATH_PREFIXES only (see visitor_mgmt/middleware.py).
    "visitor_mgmt.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "visitor_mgmt.middleware.AuthenticationMiddleware",
    "visitor_mgmt.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "visitor_mgmt.middleware.SecurityHeadersMiddleware",
    "visitor_mgmt.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Paths that authenticate by bearer token only: no session, user or messages set up.
STATELESS_PATH_PREFIXES = ("/scim/",)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],  # each app ships its own templates
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "visitor_mgmt.context_processors.current_account",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        literal("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections save a connect per request on PostgreSQL; health checks
        # drop a connection the server closed (restart, idle timeout) instead of failing.
        conn_max_age=env.int("CONN_MAX_AGE", default=600),
        conn_health_checks=True,
    )
}
DB_DRIVER = "sqlite3"  # or the PostgreSQL driver in use, below
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Wait for a writer instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    db_options.setdefault("connect_timeout", 5)
    # Django speaks to PostgreSQL through psycopg 3 when it is installed, else psycopg2
    # (requirements.txt installs one; see README "PostgreSQL driver"). Options only one
    # driver knows are set only for it: psycopg2 refuses every connection that names one.
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    DB_DRIVER = "psycopg" if is_psycopg3 else "psycopg2"
    if is_psycopg3:
        # Parameters travel apart from the SQL (psycopg does no quoting in Python), so a
        # statement's text repeats and psycopg prepares it the Nth time a connection runs
        # it: PostgreSQL then neither parses nor plans it again (SCIM's token lookup,
        # filters and inserts run thousands of times a minute). DB_PREPARE_THRESHOLD=0
        # turns preparing off, e.g. behind a transaction-pooling PgBouncer.
        db_options.setdefault("server_side_binding", True)
        db_options.setdefault(
            "prepare_threshold", env.int("DB_PREPARE_THRESHOLD", default=5) or None
        )
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str(
        "TEST_DATABASE_NAME", default="test_visitor_mgmt"
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = literal("CACHE_URL")
if CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            # Several deployments (or test runs) may share one Redis database.
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default=""),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

# Login throttling (django-axes) on the product login and the Django admin login: after
# LOGIN_FAILURE_LIMIT failed logins for one account (username) or from one client address,
# further logins for it are refused (429 and a page saying when to retry) until
# LOGIN_LOCKOUT_MINUTES after the last failure; failures older than that are forgotten.
# Attempts are kept in the database (axes' database handler), which every app server
# shares; the local-memory cache is per process and Redis is optional. Operators unlock
# with `manage.py axes_reset_username <username>` / `axes_reset_ip <address>` / `axes_reset`.
# Axes first (it refuses locked-out logins); then passwords, refused for accounts that
# require single sign-on (sso.backends.PasswordBackend replaces ModelBackend: adding
# ModelBackend back would let a password bypass "require SSO"); then single sign-on.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "sso.backends.PasswordBackend",
    "sso.backends.SsoBackend",
]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# The client address is the connection's peer unless TRUSTED_PROXY_COUNT proxies (that
# append to X-Forwarded-For) stand in front: then it is the address the outermost of them
# saw. Never trust the header without a proxy: clients could name any address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "visitor_mgmt.client_address.client_address"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default="") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: console in development, SMTP from the environment in production.
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = literal("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = literal("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = literal("DEFAULT_FROM_EMAIL", "Visitor Management <noreply@localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "visitor_mgmt.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
}

# Security: strict in production, relaxed only where local HTTP needs it.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
CSRF_TRUSTED_ORIGINS = [
    origin for origin in env.list("CSRF_TRUSTED_ORIGINS", cast=str.strip, default=[]) if origin
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Credentials (Authorization headers, bearer tokens) are masked in every log line.
    "filters": {"redact_secrets": {"()": "visitor_mgmt.log_filters.RedactSecrets"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]},
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # Django's own default handlers would bypass the filter: everything goes to root.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        # django-scim2 logs whole request bodies at DEBUG; never let that reach a log.
        "django_scim": {"level": "WARNING"},
        # The OpenID Connect client's debug lines name tokens and codes.
        "authlib": {"level": "WARNING"},
    },
}

# --- SCIM provisioning (wired by name only; the core never imports scim_hosts) ---
SCIM_SERVICE_PROVIDER = {
    "NETLOC": PUBLIC_BASE_URL.split("://", 1)[-1],
    "SCHEME": PUBLIC_BASE_URL.split("://", 1)[0],
    "AUTHENTICATION_SCHEMES": [
        {
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Authentication with the account's SCIM secret token",
            "primary": True,
        },
        {
            # For clients that offer only Basic (Okta custom apps, PingOne): see
            # scim_hosts.access.bearer.
            "type": "httpbasic",
            "name": "HTTP Basic",
            "description": "The account's SCIM secret token as the password; any user name",
        },
    ],
    "WWW_AUTHENTICATE_HEADER": 'Bearer realm="scim"',
    "USER_MODEL_GETTER": "scim_hosts.adapters.get_host_model",
    "USER_ADAPTER": "scim_hosts.adapters.SCIMHost",
    "GROUP_MODEL": "visitor_mgmt.models.HostGroup",
    "GROUP_ADAPTER": "scim_hosts.adapters.SCIMHostGroup",
    "USER_FILTER_PARSER": "scim_hosts.filters.HostFilterQuery",
    "GROUP_FILTER_PARSER": "scim_hosts.filters.HostGroupFilterQuery",
    "SERVICE_PROVIDER_CONFIG_MODEL": "scim_hosts.discovery.ServiceProviderConfig",
    "BASE_LOCATION_GETTER": "scim_hosts.locations.base_location",
    # Guards only django-scim2's own views, which are not routed (see its module).
    "AUTH_CHECK_MIDDLEWARE": "scim_hosts.access.bearer.ScimBearerTokenAuth",
    "SCHEMAS_GETTER": "scim_hosts.discovery.schemas",
}
# Provisioning-log rows older than this are purged by `purge_provisioning_log`.
SCIM_LOG_RETENTION_DAYS = env.int("SCIM_LOG_RETENTION_DAYS", default=90)
# Requests per second per account, sustained (0 turns the limit off), and how many may
# arrive at once; see scim_hosts/ratelimit.py.
SCIM_RATE_LIMIT = env.int("SCIM_RATE_LIMIT", default=200)
SCIM_RATE_BURST = env.int("SCIM_RATE_BURST", default=100)
SCIM_MAX_BODY_BYTES = env.int("SCIM_MAX_BODY_BYTES", default=1024 * 1024)
# The stored SCIM document of one host or group (what GET returns), as JSON.
SCIM_MAX_RESOURCE_BYTES = env.int("SCIM_MAX_RESOURCE_BYTES", default=64 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = max(SCIM_MAX_BODY_BYTES, 2_621_440)

# --- Single sign-on (OpenID Connect; see docs/single-sign-on.md) ---
# Plain-HTTP providers are refused except on a loopback address with this on (a provider
# run on the developer's machine); production providers speak HTTPS.
SSO_ALLOW_HTTP_LOOPBACK = env.bool("SSO_ALLOW_HTTP_LOOPBACK", default=False)
SSO_HTTP_TIMEOUT = env.int("SSO_HTTP_TIMEOUT", default=10)
# Seconds of clock difference tolerated on an ID token's exp/iat.
SSO_CLOCK_LEEWAY = env.int("SSO_CLOCK_LEEWAY", default=60)
# A session begun through the provider lasts this long: the provider is asked again after.
SSO_SESSION_SECONDS = env.int("SSO_SESSION_SECONDS", default=12 * 3600)
