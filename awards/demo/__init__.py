"""Demo data for every stage of a prize. Idempotent: loading twice changes nothing.

`base` loads reference data, users and this year's competitions; stage modules (one per
area, each with load()) add applications, jury work, decisions on top.
"""
import importlib

from awards.demo.base import DEMO_PASSWORD  # noqa: F401

STAGES = ("base", "applications", "jury", "meeting", "decisions", "statistics", "press", "messaging")


def load():
    """Load every stage that exists; returns [(role label, e-mail)] of the demo logins."""
    logins = []
    for stage in STAGES:
        try:
            module = importlib.import_module(f"awards.demo.{stage}")
        except ModuleNotFoundError as exc:
            if exc.name != f"awards.demo.{stage}":
                raise
            continue
        logins += module.load() or []
    return logins
