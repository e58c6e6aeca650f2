"""Blueprints, one per audience, plus template helpers, error pages and security headers."""
from awards.views import filters
from awards.views.errors import register_error_handlers
from awards.views.security import register_security


def register_views(app):
    from awards.views.admin import bp as admin_bp
    from awards.views.auth import bp as auth_bp
    from awards.views.public import bp as public_bp
    from awards.views.staff import bp as staff_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(staff_bp)
    for module_name in ("applicant", "jury", "decisions", "api", "privacy"):
        # Each audience's blueprint lives in its own module with a `bp`.
        try:
            module = __import__(f"awards.views.{module_name}", fromlist=["bp"])
        except ModuleNotFoundError as exc:
            if exc.name != f"awards.views.{module_name}":
                raise
            continue
        app.register_blueprint(module.bp)
    filters.register(app)
    register_error_handlers(app)
    register_security(app)
