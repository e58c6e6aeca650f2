"""Flask-WTF forms per area. German messages; choices come from the caller."""
