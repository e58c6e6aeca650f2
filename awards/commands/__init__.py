"""`flask` commands per area; each module has register(app)."""
