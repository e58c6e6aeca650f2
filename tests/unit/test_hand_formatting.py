"""Numbers, dates and times that people read are formatted by Babel in the reader's language
(awards/i18n.py and the Jinja filters of awards/views/filters.py: `number`, `figure`,
`money`, `filesize`, `berlin`, `berlin_date`, `berlin_time`), never by hand.

The code and the templates are searched for the ways numbers and dates used to be written
by hand: a decimal comma or a thousands dot put in with `replace`, Python's format
specifications for decimals and thousands, German date patterns for strftime, rounding in a
template to print the result. Machine formats stay allowed: strftime with only digits and
ISO separators (file names, timestamps), and the few places listed in ALLOWED, each with
its reason.
"""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# A strftime pattern (or a date format spec in an f-string) for machines: digits of the
# date and time with ISO separators only, e.g. "%Y%m%d-%H%M" for a file name.
MACHINE_DATE = re.compile(r"(%[YmdHMSz]|[-T:Z _])*")

RULES = {
    "decimal comma by replace": re.compile(r"""replace\(\s*(['"])\.\1\s*,\s*(['"]),\2\s*\)"""),
    "thousands dot by replace": re.compile(r"""replace\(\s*(['"]),\1\s*,\s*(['"])\.\2\s*\)"""),
    "thousands separator of a format spec": re.compile(r":,(\.\d+[fg%])?\}"),
    "fixed decimals of a format spec": re.compile(r":\.\d+[fg%]\}"),
    "cents after a decimal sign": re.compile(r"[,.]\{[^{}]*:02d\}"),
    "German date pattern": re.compile(r"%d\.%m"),
    "rounded in a template to be printed": re.compile(
        r"""\|\s*round\([^)]*\)\s*\|\s*int|map\(\s*['"]round['"]"""),
    "German month name in the code": re.compile(r"""["'](Januar|Februar|März|Dezember)["']"""),
}
STRFTIME = re.compile(r"""strftime\(\s*(['"])(.*?)\1""")
FSTRING_DATE = re.compile(r"\{[^{}:\"']+:(%[^{}]*)\}")

# (file, rule): why it may stay. An entry that no longer matches fails the test too.
ALLOWED = {
    ("awards/services/jury/exports.py", "decimal comma by replace"):
        "CSV cells for German spreadsheet programs: a machine format (the number as German "
        "Excel reads it, without grouping), not text in the page's language",
    ("awards/adapters/pdfrewrite.py", "fixed decimals of a format spec"):
        "operators of a PDF content stream (PDF syntax, not text for people)",
    ("awards/commands/bench.py", "fixed decimals of a format spec"):
        "benchmark rows for the developers' table in docs (English, in the terminal)",
    ("awards/commands/bench.py", "thousands separator of a format spec"):
        "benchmark rows for the developers' table in docs (English, in the terminal)",
    ("awards/commands/bench_files.py", "fixed decimals of a format spec"):
        "benchmark rows for the developers' table in docs (English, in the terminal)",
}


def findings(text, *, python):
    """[(line number, rule)] of the hand formatting in one file's text."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for rule, pattern in RULES.items():
            if pattern.search(line):
                found.append((number, rule))
        specs = [m.group(2) for m in STRFTIME.finditer(line)]
        if python:
            specs += [m.group(1) for m in FSTRING_DATE.finditer(line)]
        if any(not MACHINE_DATE.fullmatch(spec) for spec in specs):
            found.append((number, "date pattern for people"))
    return found


def _sources():
    for path in sorted((ROOT / "awards").rglob("*.py")):
        yield path, True
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.is_file() and path.suffix in (".html", ".txt", ".xml", ".svg", ".j2"):
            yield path, False


def test_numbers_and_dates_are_not_formatted_by_hand():
    seen, problems = set(), []
    for path, python in _sources():
        rel = path.relative_to(ROOT).as_posix()
        for number, rule in findings(path.read_text(encoding="utf-8"), python=python):
            if (rel, rule) in ALLOWED:
                seen.add((rel, rule))
            else:
                problems.append(f"{rel}:{number}: {rule}")
    assert not problems, ("Format numbers, dates and times with Babel (awards/i18n.py, the "
                          "filters in awards/views/filters.py):\n" + "\n".join(problems))
    assert set(ALLOWED) == seen, f"stale ALLOWED entries: {sorted(set(ALLOWED) - seen)}"


@pytest.mark.parametrize("snippet, python, rule", [
    ('    return f"{value:.1f}".rstrip("0").rstrip(".").replace(".", ",")', True,
     "decimal comma by replace"),
    ("{{ value|string|replace('.', ',') }}", False, "decimal comma by replace"),
    ('    text = f"{euros:,}".replace(",", ".")', True, "thousands dot by replace"),
    ('    text = f"{euros:,}"', True, "thousands separator of a format spec"),
    ('    amount = f"{cents // 100}" + f",{cents % 100:02d}"', True, "cents after a decimal sign"),
    ('    return f"{share:.1f} %"', True, "fixed decimals of a format spec"),
    ('    return local.strftime("%d.%m.%Y, %H:%M Uhr")', True, "German date pattern"),
    ('    return local.strftime("%d.%m.%Y, %H:%M Uhr")', True, "date pattern for people"),
    ('    return value.strftime("%m/%Y")', True, "date pattern for people"),
    ('    return value.strftime("%d. %B %Y")', True, "date pattern for people"),
    ('    notes = f"am {utcnow():%d.%m.%Y}"', True, "German date pattern"),
    ('    notes = f"am {when:%B %Y}"', True, "date pattern for people"),
    ("<text>{{ lo|round(0)|int }}</text>", False, "rounded in a template to be printed"),
    ("{{ totals|map('round', 1)|join(', ') }}", False, "rounded in a template to be printed"),
    ('MONTHS = ("Januar", "Februar", "März")', True, "German month name in the code"),
])
def test_the_check_sees_hand_formatting(snippet, python, rule):
    assert rule in [r for _line, r in findings(snippet, python=python)]


@pytest.mark.parametrize("snippet, python", [
    ('    stamp = datetime.now().strftime("%Y%m%d-%H%M")', True),
    ('    now = datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")', True),
    ('    click.echo(f"Stand vom {when:%Y-%m-%d %H:%M:%S} UTC")', True),
    ('    return format_figure(value)', True),
    ('    name = f"niederschriften/{number:02d}-{name}"', True),
    ('<circle cx="{{ (left + t)|round(1) }}" r="4"></circle>', False),
    ("{{ row.mean|number(2) }} {{ a.size|filesize }} {{ total|figure }}", False),
])
def test_the_check_lets_machine_formats_and_babel_pass(snippet, python):
    assert findings(snippet, python=python) == []


NGETTEXT = re.compile(r"ngettext\(")


def _call_arguments(text, start):
    """The text between the parenthesis opened just before `start` and its partner."""
    depth, index, quote = 1, start, None
    while depth:
        char = text[index]
        if quote:
            quote = None if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        index += 1
    return text[start:index - 1]


def test_counts_in_plural_sentences_are_grouped():
    """ngettext puts the bare count into %(num)s ("1234 Bewerbungen"); every call in the
    templates hands it in formatted (`num=…|number`: "1.234" / "1,234")."""
    bare = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in NGETTEXT.finditer(text):
            arguments = _call_arguments(text, match.end())
            if not re.search(r"\bnum=[^,]*\|\s*number\b", arguments):
                bare.append(f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}")
    assert bare == []
    assert len(list(NGETTEXT.finditer((ROOT / "templates/messaging/confirm.html").read_text()))) >= 2
