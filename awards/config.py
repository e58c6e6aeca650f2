"""Configuration classes; every setting can be overridden by an AWARDS_* environment variable."""
import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SECRET = "dev-only-not-secret"


def _env(name, default=None):
    return os.environ.get(f"AWARDS_{name}", default)


def _env_int(name, default):
    value = _env(name)
    return int(value) if value not in (None, "") else default


def _env_bool(name, default):
    value = _env(name)
    if value in (None, ""):
        return default
    return value.lower() in ("1", "true", "yes", "on")


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
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    def __init__(self):
        self.SECRET_KEY = _env("SECRET_KEY", DEFAULT_SECRET)
        self.SQLALCHEMY_DATABASE_URI = _env(
            "DATABASE_URL", f"sqlite:///{ROOT / 'instance' / 'awards.sqlite'}"
        )
        self.BASE_URL = _env("BASE_URL", "http://127.0.0.1:5000")
        # Storage: "local" (a directory) or "s3" (any S3-compatible endpoint via boto3).
        self.STORAGE = _env("STORAGE", "local")
        self.STORAGE_DIR = _env("STORAGE_DIR", str(ROOT / "instance" / "files"))
        self.S3_BUCKET = _env("S3_BUCKET", "awards")
        self.S3_REGION = _env("S3_REGION", "eu-central-1")
        self.S3_ENDPOINT_URL = _env("S3_ENDPOINT_URL")
        # Upload limits in megabytes.
        self.MAX_FILE_MB = _env_int("MAX_FILE_MB", 10)
        self.MAX_APPLICATION_MB = _env_int("MAX_APPLICATION_MB", 25)
        # A request may carry a whole application's files plus form data.
        self.MAX_CONTENT_LENGTH = (self.MAX_APPLICATION_MB + 1) * 1024 * 1024
        # Mail: console/outbox by default, SMTP when AWARDS_SMTP_HOST is set.
        self.MAIL_FROM = _env("MAIL_FROM", "Integrationspreis <noreply@integrationspreis.example>")
        self.SMTP_HOST = _env("SMTP_HOST")
        self.SMTP_PORT = _env_int("SMTP_PORT", 587)
        self.SMTP_USER = _env("SMTP_USER")
        self.SMTP_PASSWORD = _env("SMTP_PASSWORD")
        self.SMTP_STARTTLS = _env_bool("SMTP_STARTTLS", True)
        self.MAIL_MAX_ATTEMPTS = _env_int("MAIL_MAX_ATTEMPTS", 8)
        # Bodies of delivered mails (they may hold one-time links) are emptied this many
        # minutes after delivery; the row with recipient, subject and times stays.
        self.MAIL_KEEP_BODY_MINUTES = _env_int("MAIL_KEEP_BODY_MINUTES", 60)
        # A sender's claim on a mail lasts this long; a crashed sender's mails are then
        # taken up again (longer than one SMTP conversation can take).
        self.MAIL_LEASE_SECONDS = _env_int("MAIL_LEASE_SECONDS", 600)
        # Send the mails a request queued right after it (development: to the console).
        self.MAIL_DELIVER_IMMEDIATELY = _env_bool("MAIL_DELIVER_IMMEDIATELY", False)
        # Links in mails and QR codes use the served address instead of BASE_URL.
        self.BASE_URL_FROM_REQUEST = False
        self.RATELIMIT_STORAGE_URI = _env("RATELIMIT_STORAGE", "memory://")
        self.RATELIMIT_ENABLED = _env_bool("RATELIMIT_ENABLED", True)
        # Cache of rendered public pages and rankings: "memory" (per process), a redis://
        # URL (shared by all hosts) or "none".
        self.CACHE_URL = _env("CACHE_URL", "memory")
        self.RETENTION_MONTHS = _env_int("RETENTION_MONTHS", 12)
        self.TOKEN_MAX_AGE_HOURS = _env_int("TOKEN_MAX_AGE_HOURS", 48)
        # Number of reverse proxies in front of the app whose X-Forwarded-* headers we trust.
        self.PROXY_COUNT = _env_int("PROXY_COUNT", 0)
        # Who publishes the open data, as the DCAT-AP.de catalogue names them.
        self.OPEN_DATA_PUBLISHER = _env(
            "OPEN_DATA_PUBLISHER",
            "Bayerisches Staatsministerium des Innern, für Sport und Integration")
        self.OPEN_DATA_CONTACT = _env("OPEN_DATA_CONTACT")
        self.OPEN_DATA_CONTRIBUTOR_ID = _env("OPEN_DATA_CONTRIBUTOR_ID")


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


def config_for(name=None):
    return CONFIGS[name or _env("ENV", "development")]()
