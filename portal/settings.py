"""Antrean settings: everything that differs between machines comes from the environment."""

from __future__ import annotations

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=True)
# The development key is only accepted while DEBUG is on; production must set SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me" if DEBUG else environ.Env.NOTSET)
# 50 characters, as README says and as `manage.py check --deploy` asks (security.W009).
SECRET_KEY_MIN_LENGTH = 50
if not DEBUG and len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH:
    raise ImproperlyConfigured(
        f"Set SECRET_KEY to at least {SECRET_KEY_MIN_LENGTH} random characters when DEBUG is off."
    )
# Identity numbers (NIK, KK, BPJS) are encrypted at rest and looked up through a keyed blind
# index (families/fields.py). Newest key first; an older one stays listed only while
# `manage.py rotate_identity_keys` runs. The development keys are public: refused with DEBUG off.
_DEV_FIELD_KEY = "dev:ZGV2LW9ubHktZmllbGQta2V5LW5vdC1mb3ItcHJvZCE"
_DEV_INDEX_KEY = "ZGV2LW9ubHktYmxpbmQtaW5kZXgta2V5LW5vdC1mb3ItcHJvZA"
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[_DEV_FIELD_KEY] if DEBUG else environ.Env.NOTSET)
BLIND_INDEX_KEYS = env.list("BLIND_INDEX_KEYS", default=[_DEV_INDEX_KEY] if DEBUG else environ.Env.NOTSET)
if not DEBUG and (_DEV_FIELD_KEY in FIELD_ENCRYPTION_KEYS or _DEV_INDEX_KEY in BLIND_INDEX_KEYS):
    raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEYS to your own keys when DEBUG is off.")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 served from our own static files
    "axes",
    "django_tasks",  # the django.tasks API (Django 6) as a backport: background work, see README "Worker"
    "django_tasks_db",  # its database backend: durable in our own database, run by `manage.py db_worker`
    "facilities",
    "accounts",
    "families",
    "guarantors",
    "queueing",
    "visitday",
    "notifications",
    "reports",
    "cashier",
    "portal",
]

MIDDLEWARE = [
    "portal.middleware.HealthCheckMiddleware",  # first: a balancer's plain-HTTP probe by IP address
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.middleware.SessionMiddleware",  # Django's, with a 503 when the database is lost
    "portal.middleware.DefaultLanguageMiddleware",
    "portal.middleware.UnreadableRequestMiddleware",  # before anything reads the body or query
    "visitday.display.middleware.UnchangedPollMiddleware",  # a TV's unchanged poll: no session, no account
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "visitday.kiosk.access.KioskOnlyMiddleware",  # a kiosk device's session sees the kiosk pages only
    "visitday.display.access.ScreenOnlyMiddleware",  # a TV's session sees the display only
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "portal.middleware.DatabaseUnavailableMiddleware",
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
                "portal.context_processors.hospital",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite in the project folder unless DATABASE_URL says otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# Without health checks a restarted database turns the next request of every worker into a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE takes the write lock at BEGIN, so concurrent writers queue instead of failing
    # with "database is locked" halfway through a transaction; timeout is the busy wait.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env.int("SQLITE_BUSY_TIMEOUT", default=20),
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Bounded waits: a stuck lock or query becomes a 503 "try again" page, not a hung worker.
    DATABASES["default"].setdefault("OPTIONS", {})
    lock_ms, statement_ms = (
        env.int("DB_LOCK_TIMEOUT_MS", default=3000),
        env.int("DB_STATEMENT_TIMEOUT_MS", default=10000),
    )
    DATABASES["default"]["OPTIONS"]["options"] = f"-c lock_timeout={lock_ms:d} -c statement_timeout={statement_ms:d}"
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", 5)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "accounts.hashers.TunedArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "home"
# Reset links die after a few hours, not Django's default three days.
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 60 * 60)
EMAIL_CONFIRM_MAX_AGE = env.int("EMAIL_CONFIRM_MAX_AGE", default=3 * 24 * 60 * 60)

# Patients book from their own phones: stay signed in for a configurable period.
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 24 * 60 * 60)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# django-axes: lock the (account, IP) pair, not the IP alone: a whole hospital or a mobile
# carrier shares one address. A cool-off instead of a manual unlock.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_MINUTES", default=15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_USERNAME_CALLABLE = "accounts.services.axes_username"
AXES_VERBOSE = False
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Private uploads (ID cards, referral letters) live outside any public URL and are served
# only through permission-checked views. One server: a folder (PRIVATE_MEDIA_ROOT). Several
# servers: one private S3-compatible bucket (MinIO, Ceph, AWS) that all of them share, chosen by
# setting S3_BUCKET (portal/lib/storage.py; README "More than one app server").
PRIVATE_MEDIA_ROOT = Path(env("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private_media")))
S3_BUCKET = env("S3_BUCKET", default="")
if S3_BUCKET:
    S3_ENDPOINT_URL = env("S3_ENDPOINT_URL", default="") or None  # empty: AWS itself
    PRIVATE_STORAGE = {
        "BACKEND": "portal.lib.storage.PrivateS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "location": env("S3_PREFIX", default=""),
            "endpoint_url": S3_ENDPOINT_URL,
            "region_name": env("S3_REGION", default="us-east-1"),
            # Empty keys: boto3's own chain (AWS_* variables, an instance role).
            "access_key": env("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env("S3_SECRET_ACCESS_KEY", default="") or None,
            # MinIO and Ceph answer at one host name; AWS picks the bucket's own host.
            "addressing_style": "path" if S3_ENDPOINT_URL else None,
            "timeout": env.float("S3_TIMEOUT", default=5.0),
        },
    }
else:
    PRIVATE_STORAGE = {
        "BACKEND": env("PRIVATE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"),
        "OPTIONS": {"location": str(PRIVATE_MEDIA_ROOT), "base_url": None},
    }
STORAGES = {
    "default": PRIVATE_STORAGE,
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_BACKEND",
            default="whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage",
        ),
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
DATA_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024
# Uploaded images and PDFs decoded at once per process (each up to ~150 MB; see README), and how
# long a request waits for a free slot before it is told "busy, try again" (portal/lib/uploads.py).
UPLOAD_PROCESSING_SLOTS = env.int("UPLOAD_PROCESSING_SLOTS", default=2)
UPLOAD_BUSY_WAIT_SECONDS = env.float("UPLOAD_BUSY_WAIT_SECONDS", default=5.0)

# --- E-mail ---------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
if EMAIL_CONFIG.get("EMAIL_BACKEND") == "django.core.mail.backends.smtp.EmailBackend":
    # The same SMTP client with a total deadline per send (portal/lib/smtp.py).
    EMAIL_CONFIG["EMAIL_BACKEND"] = "portal.lib.smtp.DeadlineEmailBackend"
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Antrean <noreply@antrean.local>")
# Seconds a mail server may stay silent on one read or write (EMAIL_TIMEOUT), and for one whole
# send (EMAIL_TOTAL_TIMEOUT: connect, STARTTLS, login, the messages, QUIT), after which the
# attempt fails and is retried later: a server trickling its answers cannot hold a sender.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
EMAIL_TOTAL_TIMEOUT = env.float("EMAIL_TOTAL_TIMEOUT", default=30.0)
# WhatsApp through Fonnte's HTTP API (notifications/fonnte.py): WHATSAPP_URL e.g. https://api.fonnte.com
# and the device token. Empty URL with DEBUG on: a fake gateway on loopback takes the messages.
WHATSAPP_URL = env("WHATSAPP_URL", default="")
WHATSAPP_TOKEN = env("WHATSAPP_TOKEN", default="")
WHATSAPP_TIMEOUT = env.float("WHATSAPP_TIMEOUT", default=10.0)  # total for one attempt
WHATSAPP_EMBEDDED_FAKE = env.bool("WHATSAPP_EMBEDDED_FAKE", default=True)
# The text of a sent or failed message (it names a patient and a visit) is blanked after this.
MESSAGE_TEXT_RETENTION_DAYS = env.int("MESSAGE_TEXT_RETENTION_DAYS", default=30)
# The portal's public address, for links in e-mails sent outside a request (e.g. a clerk's verify).
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Hospital identity (header, e-mails, slips) ---------------------------
HOSPITAL_NAME = env("HOSPITAL_NAME", default="RSUD Banyumas")
HOSPITAL_ADDRESS = env("HOSPITAL_ADDRESS", default="Jl. Rumah Sakit No. 1, Banyumas, Jawa Tengah")
HOSPITAL_PHONE = env("HOSPITAL_PHONE", default="(0281) 796031")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Sessions live in the database by default (nothing else to install). With a shared cache
# (CACHE_URL=redis://...), "django.contrib.sessions.backends.cache" saves a database query on
# every signed-in request, which matters at the midnight booking rush (see README).
SESSION_ENGINE = env("SESSION_ENGINE", default="django.contrib.sessions.backends.db")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# --- families (patient index, family members) -----------------------------
# SOP 002: when True, every member's KK number must equal the account holder's own ("self") KK.
FAMILY_KK_MUST_MATCH = env.bool("FAMILY_KK_MUST_MATCH", default=False)
# Failed MRN + birth date lookups allowed per account per window before lookups are refused.
FAMILY_LOOKUP_MAX_FAILURES = env.int("FAMILY_LOOKUP_MAX_FAILURES", default=10)
FAMILY_LOOKUP_WINDOW_MINUTES = env.int("FAMILY_LOOKUP_WINDOW_MINUTES", default=60)
# Patient look-ups (MRN + birth date, NIK probes) and sign-ups per IP address per hour, whatever
# the account: a hospital's or carrier's shared address still fits a busy morning (accounts.RateLimitBucket).
FAMILY_LOOKUPS_PER_IP_PER_HOUR = env.int("FAMILY_LOOKUPS_PER_IP_PER_HOUR", default=60)
SIGNUPS_PER_IP_PER_HOUR = env.int("SIGNUPS_PER_IP_PER_HOUR", default=20)
# Life of the "not my family" / approve link e-mailed to existing holders when a patient is linked again.
FAMILY_LINK_REVIEW_MAX_AGE = env.int("FAMILY_LINK_REVIEW_MAX_AGE", default=14 * 24 * 3600)

# --- guarantors (BPJS VClaim eligibility) ---------------------------------
# Empty BPJS_VCLAIM_URL: with DEBUG on, the first check starts the bundled simulator on a free
# loopback port (BPJS_EMBEDDED_SIMULATOR); with DEBUG off, checks report "not yet verified".
BPJS_VCLAIM_URL = env("BPJS_VCLAIM_URL", default="")
BPJS_CONS_ID = env("BPJS_CONS_ID", default="")
BPJS_SECRET = env("BPJS_SECRET", default="")
BPJS_USER_KEY = env("BPJS_USER_KEY", default="")
BPJS_TIMEOUT = env.float("BPJS_TIMEOUT", default=4.0)  # total for one call: connect, headers and body
# Circuit breaker: after FAILURES failed calls within WINDOW seconds, BPJS is not asked for
# COOLOFF seconds (bookings go through "not yet verified"), then one trial call.
BPJS_BREAKER_FAILURES = env.int("BPJS_BREAKER_FAILURES", default=5)
BPJS_BREAKER_WINDOW = env.float("BPJS_BREAKER_WINDOW", default=60.0)
BPJS_BREAKER_COOLOFF = env.float("BPJS_BREAKER_COOLOFF", default=30.0)
# Threads of one process that may wait on BPJS at once; keep it below gunicorn's --threads.
BPJS_MAX_CONCURRENT = env.int("BPJS_MAX_CONCURRENT", default=2)
BPJS_CACHE_SECONDS = env.int("BPJS_CACHE_SECONDS", default=300)
BPJS_EMBEDDED_SIMULATOR = env.bool("BPJS_EMBEDDED_SIMULATOR", default=True)
# --- end guarantors --------------------------------------------------------

# --- visitday (kiosk, counter calling) ------------------------------------
# A kiosk device account stays signed in this long (it has no one to type a password each morning).
KIOSK_SESSION_SECONDS = env.int("KIOSK_SESSION_SECONDS", default=365 * 24 * 60 * 60)
# Seconds without a touch before the kiosk goes back to its start screen.
KIOSK_IDLE_SECONDS = env.int("KIOSK_IDLE_SECONDS", default=30)
# --- end visitday -----------------------------------------------------------

# --- queueing performance ---------------------------------------------------
# Anti-automation on the booking confirm POST: confirmations per account per window (0 turns
# it off). Counted in the default cache: with the default local-memory cache each worker
# process counts on its own, so set CACHE_URL to Redis for one shared count (and, with
# SESSION_ENGINE=django.contrib.sessions.backends.cache, sessions without a database query).
QUEUEING_CONFIRM_LIMIT = env.int("QUEUEING_CONFIRM_LIMIT", default=10)
QUEUEING_CONFIRM_WINDOW_SECONDS = env.int("QUEUEING_CONFIRM_WINDOW_SECONDS", default=60)
# The booking's read is a PostgreSQL prepared statement (planned once per connection). Turn it
# off behind a connection pooler in transaction mode (pgbouncer), where sessions are shared.
QUEUEING_PREPARED_READ = env.bool("QUEUEING_PREPARED_READ", default=True)
# --- end queueing performance -------------------------------------------------

# --- Mobile JKN bridge: WS RS (queueing/jkn; each facility's credentials are in the admin) ---
# Tokens given to Mobile JKN are signed with this secret (django.core.signing, salted); empty:
# derived from SECRET_KEY. Changing it ends every token at once (Mobile JKN simply asks again).
ANTREAN_WS_TOKEN_SECRET = env("ANTREAN_WS_TOKEN_SECRET", default="")
ANTREAN_WS_TOKEN_MAX_AGE = env.int("ANTREAN_WS_TOKEN_MAX_AGE", default=3600)
# Failed token requests per (user name, IP address) per window before the token call refuses.
ANTREAN_WS_LOGIN_FAILURES = env.int("ANTREAN_WS_LOGIN_FAILURES", default=10)
ANTREAN_WS_LOGIN_WINDOW_SECONDS = env.int("ANTREAN_WS_LOGIN_WINDOW_SECONDS", default=900)
# --- end Mobile JKN bridge ---------------------------------------------------------

# --- review (account e-mail throttles, private pages, Content-Security-Policy) ------
# Reset e-mails per address and reset requests per IP address per hour; confirmation e-mails
# (resends and e-mail changes) per account per hour. Counted in the database (accounts.RateLimitBucket).
PASSWORD_RESET_EMAILS_PER_HOUR = env.int("PASSWORD_RESET_EMAILS_PER_HOUR", default=3)
PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR = env.int("PASSWORD_RESET_REQUESTS_PER_IP_PER_HOUR", default=30)
CONFIRMATION_EMAILS_PER_HOUR = env.int("CONFIRMATION_EMAILS_PER_HOUR", default=3)
# Pages seen by a signed-in person are never stored by browsers or proxies (patient data).
MIDDLEWARE += ["portal.middleware.NoStoreForSignedInMiddleware", "csp.middleware.CSPMiddleware"]
# No inline script, handler or style attribute on any page: ours live in static/. Every page is under the
# policy, the booking wizard (/antrian/) and the admin (/admin/) included.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": env.list("CSP_EXCLUDE_URL_PREFIXES", default=[]),
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Folders of private uploads are the web server user's alone (files are already 0600).
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700
# --- end review ------------------------------------------------------------------------

# --- visit day: waiting-room display voice (visitday/voice.py) ---------------------
# Each call's sentence spoken by espeak-ng (Debian package espeak-ng, Indonesian voice) is kept
# here by its hash; no patient data is spoken (a queue label and a place). Without espeak-ng the
# display shows the calls and uses the browser's own speech, if any. A per-server cache, not
# shared storage: any server remakes a missing sentence, so it stays on local disk with S3_BUCKET.
VOICE_CACHE_DIR = Path(env("VOICE_CACHE_DIR", default=str(PRIVATE_MEDIA_ROOT / "voice")))
ESPEAK_NG = env("ESPEAK_NG", default="espeak-ng")
# A TV's screen account stays signed in (a power cut must not need a keyboard to recover).
SCREEN_SESSION_SECONDS = env.int("SCREEN_SESSION_SECONDS", default=365 * 24 * 60 * 60)
# --- end visit day display --------------------------------------------------------------

# --- background worker (django-tasks, database backend; README "Worker") --------------------------
# Tasks are rows in our own database (SQLite or PostgreSQL: no broker), run by
# `manage.py db_worker` as its own process. `make run` starts one beside the dev server.
TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    # Runs a task at once in the calling process; for tests (NOTIFICATIONS_TASK_BACKEND there).
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
# Which of TASKS delivers messages to patients (notifications/services.py).
NOTIFICATIONS_TASK_BACKEND = env("NOTIFICATIONS_TASK_BACKEND", default="default")
# --- end background worker --------------------------------------------------------------------------

# --- Mobile JKN: what the hospital sends to BPJS Antrean (queueing/jkn/outbox.py) ----------------------
# A worker that claims an outbox row holds it this long (seconds); a worker killed mid-send
# leaves its rows to another after the lease. Keep it above BPJS_TIMEOUT.
JKN_OUTBOX_LEASE_SECONDS = env.float("JKN_OUTBOX_LEASE_SECONDS", default=60.0)
# Temporary failures (timeouts, 5xx, connection refused) wait BASE x 2^(attempt-1) seconds, at most MAX.
JKN_OUTBOX_BACKOFF_BASE = env.float("JKN_OUTBOX_BACKOFF_BASE", default=15.0)
JKN_OUTBOX_BACKOFF_MAX = env.float("JKN_OUTBOX_BACKOFF_MAX", default=1800.0)
# Sender chains: as many db_worker processes can send at once (claims keep them apart).
JKN_OUTBOX_SENDERS = env.int("JKN_OUTBOX_SENDERS", default=1)
# One run of the sender task sends for at most this long, then enqueues its next run.
JKN_OUTBOX_RUN_SECONDS = env.float("JKN_OUTBOX_RUN_SECONDS", default=30.0)
# With no due row, the next run is at most this far away (rows written meanwhile enqueue one at once).
JKN_OUTBOX_IDLE_SECONDS = env.float("JKN_OUTBOX_IDLE_SECONDS", default=60.0)
# A facility without a BPJS Antrean base URL talks to the bundled simulator when DEBUG is on: the
# one at BPJS_ANTREAN_SIMULATOR_URL (`make run` starts it, shared by the server and the worker),
# else one started inside the process. With DEBUG off such a facility's rows wait, unsent.
BPJS_ANTREAN_EMBEDDED_SIMULATOR = env.bool("BPJS_ANTREAN_EMBEDDED_SIMULATOR", default=True)
BPJS_ANTREAN_SIMULATOR_URL = env("BPJS_ANTREAN_SIMULATOR_URL", default="")
# --- end Mobile JKN outbox ----------------------------------------------------------------------------
