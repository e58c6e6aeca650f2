"""Decisions, releases and certificates (filled in by the decisions work)."""
