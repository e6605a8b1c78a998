"""Django settings, read from environment variables (the table is in README.md).

Nothing here needs editing to deploy: every value an operator may change has a variable.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.csp import CSP

from supportdesk.config import env

PACKAGE_DIR = Path(__file__).resolve().parent.parent

# The data folder: the SQLite database, the secret key, collected static files, uploads.
SUPPORTDESK_HOME = env.home_dir(os.environ.get("SUPPORTDESK_HOME"))

# An operator's policy file; the policy core reads it (None: the default policy it ships).
SUPPORTDESK_POLICY: Path | None = (
    Path(os.environ["SUPPORTDESK_POLICY"]).expanduser()
    if os.environ.get("SUPPORTDESK_POLICY")
    else None
)

SECRET_KEY = env.secret_key(os.environ.get("SUPPORTDESK_SECRET_KEY"), SUPPORTDESK_HOME)
DEBUG = env.env_bool("SUPPORTDESK_DEBUG", default=False)
ALLOWED_HOSTS = env.env_list("SUPPORTDESK_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])

# --- transport and browser security (docs/ops/deployment.md) ---------------------------------
# SUPPORTDESK_HTTPS=1 when people reach the site over HTTPS, usually through a TLS-terminating
# proxy on the same machine: gunicorn takes the scheme from the proxy's X-Forwarded-Proto only
# when the proxy connects from 127.0.0.1 (its forwarded_allow_ips), so Django sees HTTPS
# requests as secure without trusting a header any client could send.
SUPPORTDESK_HTTPS = env.env_bool("SUPPORTDESK_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SUPPORTDESK_HTTPS
SECURE_SSL_REDIRECT = SUPPORTDESK_HTTPS
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health"]  # the load balancer's probe speaks plain HTTP
SECURE_HSTS_SECONDS = (
    env.env_int("SUPPORTDESK_HSTS_SECONDS", 31_536_000) if SUPPORTDESK_HTTPS else 0
)
# The site is meant to have a host name of its own (support.example.com), so covering its
# subdomains and allowing preload costs nothing; an operator can turn either off.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.env_bool("SUPPORTDESK_HSTS_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.env_bool("SUPPORTDESK_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
# The largest request body read into memory (JSON, forms); larger ones get 413. Log
# uploads stream in chunks and have their own limits.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.env_int("SUPPORTDESK_MAX_BODY_BYTES", 2_621_440, minimum=1024)
SESSION_COOKIE_AGE = env.env_int("SUPPORTDESK_SESSION_SECONDS", 8 * 3600, minimum=300)
# Content Security Policy: scripts, styles, images and fonts from this site only; no inline
# script or style (tests/test_conventions.py keeps templates free of them), no plugins, no
# framing, forms post only here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "ninja",
    "supportdesk.accounts",
    "supportdesk.audit",
    "supportdesk.licensing",
    "supportdesk.cases",
    "supportdesk.notifications",
    "supportdesk.reports",
    "supportdesk.surveys",
    "supportdesk.routing",
    "supportdesk.attachments",
    "supportdesk.knowledge",
    "supportdesk.downloads",
    "supportdesk.portal",
    "supportdesk.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "supportdesk.api.parser.NulCharacterMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.portal.middleware.ViewerTimeZoneMiddleware",
    "supportdesk.portal.middleware.ViewerLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "supportdesk.config.urls"
WSGI_APPLICATION = "supportdesk.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.database(os.environ.get("DATABASE_URL"), SUPPORTDESK_HOME)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["supportdesk.accounts.backends.ThrottledModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "portal:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:login"

# --- rate limits and sign-in throttling (supportdesk/ratelimit.py) ---------------------------
# The cache keeps the counters: per process by default; SUPPORTDESK_CACHE_URL=redis://... makes
# every process on every machine count together (recommended with several web processes).
CACHES = {"default": env.cache(os.environ.get("SUPPORTDESK_CACHE_URL"))}
# PostgreSQL: the fixed statements of the hot paths (supportdesk.rows) are prepared once per
# connection; 0 for a connection pooler in transaction mode, which cannot keep them.
SUPPORTDESK_PG_PREPARED = env.env_bool("SUPPORTDESK_PG_PREPARED", True)
# How many proxies in front of the server append to X-Forwarded-For (0: use the peer address).
SUPPORTDESK_TRUSTED_PROXIES = env.env_int("SUPPORTDESK_TRUSTED_PROXIES", 0)
# name -> (requests, seconds); 0 requests switches a limit off.
SUPPORTDESK_RATE_LIMITS = {
    # each signed-in API caller (user), and each address for calls without a sign-in
    "api": (env.env_int("SUPPORTDESK_API_RATE", 1200), 60),
    "api-anonymous": (env.env_int("SUPPORTDESK_API_ANONYMOUS_RATE", 120), 60),
    # upload requests (each chunk is one) by one caller
    "upload": (env.env_int("SUPPORTDESK_UPLOAD_RATE", 600), 60),
    # survey pages and answers from one address: tokens cannot be guessed by brute force
    "survey": (env.env_int("SUPPORTDESK_SURVEY_RATE", 30), 60),
    # "forgot password" requests per address of the requester and per account address, and
    # tries of a reset link from one address
    "password-reset": (env.env_int("SUPPORTDESK_PASSWORD_RESET_RATE", 5), 3600),
    "password-reset-link": (env.env_int("SUPPORTDESK_PASSWORD_RESET_LINK_RATE", 30), 600),
    # tries of an invitation link from one address
    "invitation-link": (env.env_int("SUPPORTDESK_INVITATION_LINK_RATE", 30), 600),
    # invitations sent by one person (portal and API): nobody mails strangers in bulk
    "invitation-send": (env.env_int("SUPPORTDESK_INVITATION_SEND_RATE", 50), 3600),
}
# Where a customer's license update request is mailed: the vendor's license desk
# (empty: nobody is mailed; the requests wait in the admin and the API).
SUPPORTDESK_LICENSE_DESK_EMAIL = os.environ.get("SUPPORTDESK_LICENSE_DESK_EMAIL", "")
# The language the desk reads its mail in, unless a staff account has the desk's address
# (then that account's language).
SUPPORTDESK_LICENSE_DESK_LANGUAGE = os.environ.get("SUPPORTDESK_LICENSE_DESK_LANGUAGE", "en")
# How long an invitation to join an organization works.
SUPPORTDESK_INVITATION_DAYS = env.env_int("SUPPORTDESK_INVITATION_DAYS", 7)
# How long a password reset link works.
SUPPORTDESK_PASSWORD_RESET_MINUTES = env.env_int("SUPPORTDESK_PASSWORD_RESET_MINUTES", 60)
# Sign-in: after this many failures for one user name from one address, each further try
# waits twice as long as the one before (1 s, 2 s, 4 s, ...) up to the maximum. Other
# addresses are not slowed, so an attacker cannot lock the real user out.
SUPPORTDESK_LOGIN_FREE_FAILURES = env.env_int("SUPPORTDESK_LOGIN_FREE_FAILURES", 5, minimum=1)
SUPPORTDESK_LOGIN_MAX_WAIT_SECONDS = env.env_int("SUPPORTDESK_LOGIN_MAX_WAIT_SECONDS", 900)

# --- time and language -----------------------------------------------------------------------
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("cs", "Čeština")]
# One catalogue for the whole site (portal, reports, console): `make messages` collects every
# app's strings into it, and apps without a locale folder of their own are translated from it.
LOCALE_PATHS = [Path(__file__).resolve().parent.parent / "portal" / "locale"]

# --- static files: `serve` and `demo` collect them into the data folder (hashed names,
# compressed), and WhiteNoise serves them from there with far-future cache headers -----------
STATIC_URL = "static/"
STATIC_ROOT = SUPPORTDESK_HOME / "static"
MEDIA_ROOT = SUPPORTDESK_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- attachments: where uploaded bytes go, and what is accepted ------------------
# "local" (a folder, default: <home>/uploads) or "s3://bucket/prefix?endpoint_url=...&region=..."
# (credentials from the usual AWS_* variables).
UPLOAD_STORAGE = env.upload_storage(os.environ.get("SUPPORTDESK_UPLOAD_STORAGE"))
UPLOAD_MAX_BYTES = env.env_int("SUPPORTDESK_UPLOAD_MAX_BYTES", 20 * 1024**3, minimum=1)
UPLOAD_CASE_QUOTA_BYTES = env.env_int(
    "SUPPORTDESK_UPLOAD_CASE_QUOTA_BYTES", 100 * 1024**3, minimum=1
)
# The portal's upload script sends a file in requests of this many bytes; after a dropped
# connection it asks where the upload stands and sends the rest from there.
SUPPORTDESK_PORTAL_UPLOAD_CHUNK_BYTES = env.env_int(
    "SUPPORTDESK_PORTAL_UPLOAD_CHUNK_BYTES", 8 * 1024**2, minimum=64 * 1024
)
UPLOAD_EXTENSIONS: list[str] | None = env.env_list("SUPPORTDESK_UPLOAD_EXTENSIONS", []) or None
UPLOAD_EXPIRY_SECONDS = env.env_int("SUPPORTDESK_UPLOAD_EXPIRY_SECONDS", 24 * 3600, minimum=1)
UPLOAD_MAX_RATIO = env.env_int("SUPPORTDESK_UPLOAD_MAX_RATIO", 200, minimum=1)
UPLOAD_MAX_EXPANDED_BYTES = env.env_int(
    "SUPPORTDESK_UPLOAD_MAX_EXPANDED_BYTES", 64 * 1024**3, minimum=1
)
UPLOAD_MAX_MEMBERS = env.env_int("SUPPORTDESK_UPLOAD_MAX_MEMBERS", 100_000, minimum=1)

# --- background tasks (Django's django.tasks, stored in the database) ------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# --- mail ------------------------------------------------------------------------------------
MAILERS = {"default": env.mail(os.environ.get("SUPPORTDESK_SMTP_URL"))}
DEFAULT_FROM_EMAIL = os.environ.get("SUPPORTDESK_MAIL_FROM") or "supportdesk@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The outbox: the first retry after this many seconds, doubling up to an hour between tries;
# given up (and shown as failed in the admin) after this many tries.
SUPPORTDESK_MAIL_RETRY_SECONDS = env.env_number("SUPPORTDESK_MAIL_RETRY_SECONDS", 60, minimum=1)
SUPPORTDESK_MAIL_MAX_ATTEMPTS = int(env.env_number("SUPPORTDESK_MAIL_MAX_ATTEMPTS", 50, minimum=1))
# The worker's catch-up sweep (lost mail tasks, alerts missed while no worker ran).
SUPPORTDESK_SWEEP_SECONDS = env.env_number("SUPPORTDESK_SWEEP_SECONDS", 60, minimum=1)
# How long before a first-response deadline support is warned.
SUPPORTDESK_SLA_WARNING_MINUTES = env.env_number("SUPPORTDESK_SLA_WARNING_MINUTES", 15)
# How soon a support manager answers a "Talk to a manager" request: the manager view
# counts down to it and marks the requests past it.
SUPPORTDESK_MANAGER_ACK_MINUTES = env.env_number("SUPPORTDESK_MANAGER_ACK_MINUTES", 60, minimum=1)
# How long a satisfaction survey's link stays open.
SUPPORTDESK_SURVEY_DAYS = env.env_number("SUPPORTDESK_SURVEY_DAYS", 30, minimum=1)
# The address people reach the site at, for links in mail (a survey's, R-34).
SUPPORTDESK_SITE_URL = (os.environ.get("SUPPORTDESK_SITE_URL") or "http://localhost:8000").rstrip(
    "/"
)

# --- logging: everything to standard error, for the service manager to keep -----------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "{asctime} {levelname} {name}: {message}", "style": "{"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
    "loggers": {
        "supportdesk": {"level": "INFO"},
        "django_tasks_db": {"level": "INFO"},
    },
}
