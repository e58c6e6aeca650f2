"""URL converters: an id in a path is a positive number that fits the database's integer.

Werkzeug's `int` takes any number of digits; 99999999999999999999 then reaches the database
(SQLite: OverflowError, PostgreSQL: out of range) and answers 500. Ours matches only
1 … 2**31-1 (ids are 32-bit integers on PostgreSQL), so anything else is simply 404.
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def _up_to(limit):
    """A regular expression for the decimal numbers 0 … limit without leading zeros."""
    digits = str(limit)
    options = ["0", f"[1-9]\\d{{0,{len(digits) - 2}}}"]
    for i, digit in enumerate(digits):
        if i == len(digits) - 1:
            options.append(digits[:i] + f"[0-{digit}]")
        elif digit != "0":
            lower = "[1-" if i == 0 else "[0-"
            if int(digit) - 1 >= (1 if i == 0 else 0):
                options.append(digits[:i] + f"{lower}{int(digit) - 1}]" + f"\\d{{{len(digits) - i - 1}}}")
    return "(?:" + "|".join(options) + ")"


class IdConverter(IntegerConverter):
    # The pattern itself stops at MAX_ID: werkzeug answers 405 instead of 404 when a path
    # matches the pattern of a rule for another method but its value is then refused.
    regex = _up_to(MAX_ID)

    def __init__(self, map, fixed_digits=0, min=None, max=None, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min if min is not None else 0,
                         max=max if max is not None else MAX_ID, signed=signed)


def register(app):
    """Call before any route is added: rules pick their converter when they are added."""
    app.url_map.converters["int"] = IdConverter


def parse_id(raw, maximum=MAX_ID):
    """A number from a query or form value: ASCII digits only ("²".isdigit() is true, but
    int() refuses it), at most `maximum`; anything else is None."""
    if not isinstance(raw, str) or not raw.isascii() or not raw.isdigit():
        return None
    value = int(raw)
    return value if value <= maximum else None
