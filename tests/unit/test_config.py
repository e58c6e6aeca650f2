"""Settings are read strictly, with errors that name the variable; production refuses
set-ups that lose mail, keep files on one host or use SQLite unless explicitly allowed."""
import pytest

from awards import create_app
from awards.config import ConfigError, config_for, environment_name, production_problems

PRODUCTION_OK = {
    "AWARDS_SECRET_KEY": "s" * 48,
    "AWARDS_DATABASE_URL": "postgresql+psycopg://awards:pw@db.internal/awards",
    "AWARDS_STORAGE": "s3",
    "AWARDS_SMTP_HOST": "smtp.internal.example",
    "AWARDS_BASE_URL": "https://integrationspreis.example",
}


@pytest.fixture
def production_env(monkeypatch):
    for name, value in PRODUCTION_OK.items():
        monkeypatch.setenv(name, value)
    return monkeypatch


@pytest.mark.parametrize("raw", ["production", "Production", "PRODUCTION", " production "])
def test_environment_name_any_case_accepted(raw):
    assert environment_name(raw) == "production"


def test_environment_name_unknown_names_the_choices(monkeypatch):
    monkeypatch.setenv("AWARDS_ENV", "prod")
    with pytest.raises(ConfigError) as caught:
        config_for()
    assert str(caught.value) == ("AWARDS_ENV must be one of development, testing, production, "
                                 "not 'prod'.")


@pytest.mark.parametrize("raw, expected", [("true", True), ("TRUE", True), ("1", True),
                                           ("yes", True), ("On", True), ("false", False),
                                           ("0", False), ("no", False), ("OFF", False)])
def test_boolean_words_accepted(monkeypatch, raw, expected):
    monkeypatch.setenv("AWARDS_RATELIMIT_ENABLED", raw)
    assert config_for("development").RATELIMIT_ENABLED is expected


def test_boolean_unknown_word_refused(monkeypatch):
    monkeypatch.setenv("AWARDS_SMTP_STARTTLS", "ja")
    with pytest.raises(ConfigError) as caught:
        config_for("development")
    assert str(caught.value) == ("AWARDS_SMTP_STARTTLS must be one of 1/true/yes/on or "
                                 "0/false/no/off, not 'ja'.")


@pytest.mark.parametrize("raw, message", [
    ("25MB", "AWARDS_MAX_FILE_MB must be a whole number, not '25MB'."),
    ("0", "AWARDS_MAX_FILE_MB must be at least 1, not 0."),
])
def test_number_malformed_refused(monkeypatch, raw, message):
    monkeypatch.setenv("AWARDS_MAX_FILE_MB", raw)
    with pytest.raises(ConfigError) as caught:
        config_for("development")
    assert str(caught.value) == message


def test_inline_comment_refused_with_advice(monkeypatch):
    # What systemd's EnvironmentFile hands over for `AWARDS_PROXY_COUNT=1   # one proxy`.
    monkeypatch.setenv("AWARDS_PROXY_COUNT", "1   # one proxy")
    with pytest.raises(ConfigError) as caught:
        config_for("development")
    assert str(caught.value).startswith("AWARDS_PROXY_COUNT contains an inline comment ('1' "
                                        "followed by ' #...').")


def test_value_with_hash_but_no_comment_kept(monkeypatch):
    monkeypatch.setenv("AWARDS_SMTP_PASSWORD", "ab#cd")
    assert config_for("development").SMTP_PASSWORD == "ab#cd"


def test_choice_setting_any_case(monkeypatch):
    monkeypatch.setenv("AWARDS_DOWNLOADS", "Redirect")
    monkeypatch.setenv("AWARDS_STORAGE", "S3")
    config = config_for("development")
    assert (config.DOWNLOADS, config.STORAGE) == ("redirect", "s3")


def test_production_complete_setup_has_no_problems(production_env):
    assert production_problems(config_for("production")) == []


@pytest.mark.parametrize("name, value, allow, problem_start", [
    ("AWARDS_SMTP_HOST", "", "AWARDS_ALLOW_NO_SMTP", "AWARDS_SMTP_HOST is not set"),
    ("AWARDS_DATABASE_URL", "sqlite:////srv/awards.sqlite", "AWARDS_ALLOW_SQLITE",
     "AWARDS_DATABASE_URL points to SQLite"),
    ("AWARDS_STORAGE", "local", "AWARDS_ALLOW_LOCAL_STORAGE", "AWARDS_STORAGE is 'local'"),
])
def test_production_unsafe_setup_refused_unless_allowed(production_env, tmp_path, name, value,
                                                         allow, problem_start):
    production_env.setenv(name, value)
    production_env.setenv("AWARDS_STORAGE_DIR", str(tmp_path))
    problems = production_problems(config_for("production"))
    assert len(problems) == 1 and problems[0].startswith(problem_start), problems
    with pytest.raises(ConfigError) as caught:
        create_app("production")
    assert problem_start in str(caught.value)
    production_env.setenv(allow, "true")
    assert production_problems(config_for("production")) == []


def test_production_http_base_url_refused(production_env):
    production_env.setenv("AWARDS_BASE_URL", "http://integrationspreis.example")
    assert production_problems(config_for("production")) == [
        "AWARDS_BASE_URL must be the public https:// address of the system."]
