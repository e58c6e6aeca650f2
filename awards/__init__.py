"""The Integrationspreis award system: application factory."""
import os

from flask import Flask, has_request_context, session

from awards.config import ROOT, ConfigError, config_for, production_problems
from awards.extensions import babel, csrf, db, limiter, login_manager, migrate


def select_locale():
    # Outside a request (commands, mails rendered by jobs) the default language applies.
    if not has_request_context():
        return "de"
    lang = session.get("lang")
    if lang in ("de", "en"):
        return lang
    return "de"


def create_app(config=None, **overrides):
    """Build the app. `config` is an environment name or a config object."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    if config is None or isinstance(config, str):
        config = config_for(config)
    app.config.from_object(config)
    app.config.update(overrides)

    if app.config["ENV_NAME"] == "production":
        problems = production_problems(app.config)
        if problems:
            # Every problem at once, so that one restart fixes them all (`flask check-config`
            # prints the same list without starting the app).
            raise ConfigError("The app refuses to start in production:\n- " + "\n- ".join(problems))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)

    if app.config.get("PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)

    from awards import logsetup

    logsetup.configure(app)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_translation_directories=str(ROOT / "translations"))
    from awards.i18n import Request, install_jinja_gettext, install_session_tag

    install_jinja_gettext(app)
    app.request_class = Request
    install_session_tag(app)
    # The limiter is one object shared by every app in the process (tests build several);
    # it stays switched on, and each app decides per request (see extensions.py).
    rate_limits_on = app.config.get("RATELIMIT_ENABLED", True)
    app.config["RATELIMIT_ENABLED"] = True
    limiter.init_app(app)
    app.config["RATELIMIT_ENABLED"] = rate_limits_on
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = app.config.get("SESSION_PROTECTION", "strong")

    from awards import models  # noqa: F401  (register every table)
    from awards.services import publication_state
    from awards.views import register_views
    from awards import unit_of_work

    publication_state.install()

    @login_manager.user_loader
    def load_user(raw_id):
        from awards.services.accounts import user_with_roles

        user_id, _, session_id = raw_id.partition(":")
        if not user_id.isdigit():
            return None
        user = user_with_roles(int(user_id))
        if user is None or user.session_id != session_id or not user.active:
            return None
        return user

    register_views(app)
    unit_of_work.init_app(app)

    from awards.cli import register_cli

    register_cli(app)
    return app
