"""Jury, rounds, assignments, conflicts and scores (filled in by the jury work)."""
