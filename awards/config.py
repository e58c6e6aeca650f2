"""Configuration classes; every setting can be overridden by an AWARDS_* environment variable.

Values are read strictly: a boolean is one of 1/0, true/false, yes/no, on/off; a number is a
whole number; the environment name is matched without regard to case. A value that cannot be
read stops the app with a `ConfigError` naming the variable. Inline comments (`VALUE  # note`)
are refused, because systemd's EnvironmentFile keeps them as part of the value while a shell
drops them: comments belong on lines of their own.
"""
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-only-not-secret"
ENVIRONMENTS = ("development", "testing", "production")
TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
_INLINE_COMMENT = re.compile(r"\s#")


class ConfigError(RuntimeError):
    """A setting is missing, malformed or unsafe; the message names the variable."""


def _env(name, default=None):
    value = os.environ.get(f"AWARDS_{name}")
    if value is None:
        return default
    if _INLINE_COMMENT.search(value):
        raise ConfigError(
            f"AWARDS_{name} contains an inline comment ({value.split('#', 1)[0].strip()!r} "
            "followed by ' #...'). systemd's EnvironmentFile keeps such comments as part of "
            "the value: put comments on a line of their own.")
    return value.strip()


def _env_int(name, default, minimum=None):
    value = _env(name)
    if value in (None, ""):
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"AWARDS_{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"AWARDS_{name} must be at least {minimum}, not {number}.")
    return number


def _env_bool(name, default):
    value = _env(name)
    if value in (None, ""):
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigError(f"AWARDS_{name} must be one of {'/'.join(TRUE_WORDS)} or "
                      f"{'/'.join(FALSE_WORDS)}, not {value!r}.")


def _env_choice(name, default, choices):
    value = _env(name)
    if value in (None, ""):
        return default
    word = value.lower()
    if word not in choices:
        raise ConfigError(f"AWARDS_{name} must be one of {', '.join(choices)}, not {value!r}.")
    return word


class Config:
    """Defaults for every environment; read from the environment when instantiated."""

    ENV_NAME = "development"
    TESTING = False
    BABEL_DEFAULT_LOCALE = "de"
    BABEL_DEFAULT_TIMEZONE = "Europe/Berlin"
    LANGUAGES = ("de", "en")
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_PROTECTION = "strong"
    # Statement parameters (names, e-mail addresses) never appear in error messages or logs.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True, "hide_parameters": True}

    def __init__(self):
        self.SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET)
        self.SQLALCHEMY_DATABASE_URI = _env(
            "DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'awards.sqlite'}"
        )
        self.BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
        # Storage: "local" (a directory) or "s3" (any S3-compatible endpoint via boto3).
        self.STORAGE = _env_choice("STORAGE", "local", ("local", "s3"))
        self.STORAGE_DIR = _env("STORAGE_DIR", str(ROOT / "instance" / "files"))
        self.S3_BUCKET = _env("S3_BUCKET", "awards")
        self.S3_REGION = _env("S3_REGION", "eu-central-1")
        self.S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
        # Downloads of stored files: "stream" sends them through the app (the object store
        # need not be reachable by the public); "redirect" answers with a short-lived
        # presigned URL of the store (S3 only; the public must reach the store's endpoint).
        self.DOWNLOADS = _env_choice("DOWNLOADS", "stream", ("stream", "redirect"))
        # Upload limits in megabytes.
        self.MAX_FILE_MB = _env_int("MAX_FILE_MB", 10, minimum=1)
        self.MAX_APPLICATION_MB = _env_int("MAX_APPLICATION_MB", 25, minimum=1)
        # A request may carry a whole application's files plus form data.
        self.MAX_CONTENT_LENGTH = (self.MAX_APPLICATION_MB + 1) * 1024 * 1024
        # Mail: console/outbox by default, SMTP when AWARDS_SMTP_HOST is set.
        self.MAIL_FROM = _env("MAIL_FROM", "Integrationspreis <noreply@integrationspreis.example>")
        self.SMTP_HOST = _env("SMTP_HOST")
        self.SMTP_PORT = _env_int("SMTP_PORT", 587, minimum=1)
        self.SMTP_USER = _env("SMTP_USER")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
        self.MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8, minimum=1)
        # Bodies of delivered mails (they may hold one-time links) are emptied this many
        # minutes after delivery; the row with recipient, subject and times stays.
        self.MAIL_KEEP_BODY_MINUTES = _env_int("MAIL_KEEP_BODY_MINUTES", 60, minimum=0)
        # A sender's claim on a mail lasts this long; a crashed sender's mails are then
        # taken up again (longer than one SMTP conversation can take).
        self.MAIL_LEASE_SECONDS = _env_int("MAIL_LEASE_SECONDS", 600, minimum=30)
        # Send the mails a request queued right after it (development: to the console).
        self.MAIL_DELIVER_IMMEDIATELY = _env_bool("MAIL_DELIVER_IMMEDIATELY", False)
        # Links in mails and QR codes use the served address instead of BASE_URL.
        self.BASE_URL_FROM_REQUEST = False
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE", "memory://")
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        # Cache of rendered public pages and rankings: "memory" (per process), a redis://
        # URL (shared by all hosts) or "none".
        self.CACHE_URL = _env("CACHE_URL", "memory")
        self.RETENTION_MONTHS = _env_int("RETENTION_MONTHS", 12, minimum=1)
        self.TOKEN_MAX_AGE_HOURS = _env_int("TOKEN_MAX_AGE_HOURS", 48, minimum=1)
        # How long an Infobrief confirmation link works; unconfirmed requests go after it.
        self.INFOBRIEF_CONFIRM_HOURS = _env_int("INFOBRIEF_CONFIRM_HOURS", 48, minimum=1)
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
        self.PROXY_COUNT = _env_int("PROXY_COUNT", 0, minimum=0)
        # Who publishes the open data, as the DCAT-AP.de catalogue names them.
        self.OPEN_DATA_PUBLISHER = _env(
            "OPEN_DATA_PUBLISHER",
            "Bayerisches Staatsministerium des Innern, für Sport und Integration")
        self.OPEN_DATA_CONTACT = _env("OPEN_DATA_CONTACT")
        self.OPEN_DATA_CONTRIBUTOR_ID = _env("OPEN_DATA_CONTRIBUTOR_ID")
        # Logs: "text" (one line per record) or "json" (one JSON object per line).
        self.LOG_FORMAT = _env_choice("LOG_FORMAT", "text", ("text", "json"))
        self.LOG_LEVEL = _env_choice("LOG_LEVEL", "info", ("debug", "info", "warning", "error"))
        # When Redis (the rate limit store) is unreachable, count in each worker's memory.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.RATELIMIT_SWALLOW_ERRORS = True
        # Production refuses set-ups that only suit a single test machine unless allowed.
        self.ALLOW_SQLITE = _env_bool("ALLOW_SQLITE", False)
        self.ALLOW_LOCAL_STORAGE = _env_bool("ALLOW_LOCAL_STORAGE", False)
        self.ALLOW_NO_SMTP = _env_bool("ALLOW_NO_SMTP", False)


class DevelopmentConfig(Config):
    def __init__(self):
        super().__init__()
        # `make run`: mails appear in the terminal at once, and their links point at the
        # address the app is served under unless AWARDS_BASE_URL names one.
        self.MAIL_DELIVER_IMMEDIATELY = _env_bool("MAIL_DELIVER_IMMEDIATELY", True)
        self.BASE_URL_FROM_REQUEST = _env_bool("BASE_URL_FROM_REQUEST", _env("BASE_URL") in (None, ""))


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    WTF_CSRF_ENABLED = False

    def __init__(self):
        super().__init__()
        self.SECRET_KEY = "testing-secret"
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or "sqlite://"
        self.RATELIMIT_ENABLED = False
        self.STORAGE = "local"


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def environment_name(name=None):
    """The configured environment, matched without regard to case ("Production" works)."""
    raw = name if name is not None else _env("ENV", "development")
    word = (raw or "development").strip().lower()
    if word not in ENVIRONMENTS:
        raise ConfigError(f"AWARDS_ENV must be one of {', '.join(ENVIRONMENTS)}, not {raw!r}.")
    return word


def config_for(name=None):
    return CONFIGS[environment_name(name)]()


def production_problems(config):
    """What makes a configuration unfit for production, as sentences naming the variable.

    `config` is a mapping (app.config) or a config object. Empty when all is well."""
    get = config.get if hasattr(config, "get") else (lambda key, default=None: getattr(config, key, default))
    problems = []
    secret = get("SECRET_KEY")
    if not secret or secret == DEFAULT_SECRET or len(secret) < 32:
        problems.append("AWARDS_SECRET_KEY must be set to a random value of at least 32 "
                        "characters in production.")
    database = get("SQLALCHEMY_DATABASE_URI") or ""
    if database.startswith("sqlite") and not get("ALLOW_SQLITE"):
        problems.append("AWARDS_DATABASE_URL points to SQLite; production needs PostgreSQL "
                        "(set AWARDS_ALLOW_SQLITE=true only for a single-host trial).")
    if get("STORAGE") != "s3" and not get("ALLOW_LOCAL_STORAGE"):
        problems.append("AWARDS_STORAGE is 'local'; production needs 's3' so that hosts keep "
                        "no files (set AWARDS_ALLOW_LOCAL_STORAGE=true only for one host).")
    if not get("SMTP_HOST") and not get("ALLOW_NO_SMTP"):
        problems.append("AWARDS_SMTP_HOST is not set; without it no mail (password resets "
                        "included) would leave the system.")
    base = urlsplit(get("BASE_URL") or "")
    if base.scheme != "https" or not base.netloc:
        problems.append("AWARDS_BASE_URL must be the public https:// address of the system.")
    return problems
