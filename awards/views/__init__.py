"""Blueprints, one per audience, plus template helpers, error pages and security headers."""
import importlib
import pkgutil

from awards.views import chrome, converters, filters, scales
from awards.views.caching import register_caching
from awards.views.errors import register_error_handlers
from awards.views.security import register_security


def register_views(app):
    """Register every blueprint: each module in awards/views with a `bp` is one audience."""
    converters.register(app)
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"awards.views.{module_info.name}")
        blueprint = getattr(module, "bp", None)
        if blueprint is not None:
            app.register_blueprint(blueprint)
    filters.register(app)
    chrome.register(app)
    scales.register(app)
    register_error_handlers(app)
    register_security(app)
    register_caching(app)
