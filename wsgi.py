"""Entry point for gunicorn: `gunicorn wsgi:app` (settings in gunicorn.conf.py)."""
from awards import create_app

app = create_app()
