"""Django settings, read from environment variables (the table is in README.md).

Nothing here needs editing to deploy: every value an operator may change has a variable.
"""

from __future__ import annotations

import os
from pathlib import Path

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

# Behind a TLS-terminating proxy (gunicorn trusts X-Forwarded-Proto from the local machine).
SUPPORTDESK_HTTPS = env.env_bool("SUPPORTDESK_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SUPPORTDESK_HTTPS

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
    "supportdesk.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "supportdesk.portal.middleware.ViewerTimeZoneMiddleware",
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
LOGIN_REDIRECT_URL = "portal:licenses"
LOGOUT_REDIRECT_URL = "portal:login"

# --- time and language -----------------------------------------------------------------------
USE_TZ = True
TIME_ZONE = "UTC"
USE_I18N = True
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("cs", "Čeština")]

# --- static files: `serve` and `demo` collect them into the data folder (hashed names,
# compressed), and WhiteNoise serves them from there with far-future cache headers -----------
STATIC_URL = "static/"
STATIC_ROOT = SUPPORTDESK_HOME / "static"
MEDIA_ROOT = SUPPORTDESK_HOME / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

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
