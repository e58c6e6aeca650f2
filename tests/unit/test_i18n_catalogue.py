"""Every user-facing message is translatable and translated.

The first test reads our code (AST) for German text handed to an exception, flash(), a form
error or a mail subject without `_()`/`_l()` around it: such text would show in German on
English pages. The second extracts every message the way `pybabel extract` does (in memory)
and checks the English catalogue has a translation for each.
"""
import ast
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"

# Where user-facing messages are made.
SCANNED = ["awards/services", "awards/models", "awards/views", "awards/forms",
           "awards/permissions.py"]
# The open-data API is a German contract for machine clients (texts fixed by its
# documentation, answers cached for everyone): it is not translated.
NOT_TRANSLATED = {"awards/views/api.py", "awards/views/api_contract.py", "awards/views/dcat.py"}
# Errors only operators read on the command line (`flask archive-…`), never a page.
OPERATOR_ERRORS = {"ArchiveError"}

TRANSLATORS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}
SINK_CALLS = {"flash", "abort", "render_error", "ValidationError", "send", "queue"}
SINK_KEYWORDS = {"subject", "message", "error", "title", "text", "label", "description",
                 "hint", "reason_text"}
KEYWORDS = {"_": None, "_l": None, "gettext": None, "lazy_gettext": None,
            "ngettext": (1, 2), "lazy_ngettext": (1, 2)}
METHOD_MAP = [("awards/**.py", "python"), ("templates/**.html", "jinja2"),
              ("templates/**.txt", "jinja2")]

GERMAN = re.compile(r"[äöüÄÖÜß„“]|\b(sie|bitte|nicht|kein|keine|ist|sind|der|die|das|und|"
                    r"oder|mit|für|wurde|werden|kann|können|muss|gibt|datei|bewerbung|"
                    r"runde|frist)\b", re.IGNORECASE)


def _name(func):
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _literal_texts(node):
    """The literal text pieces of an argument (constants, f-strings, concatenations)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        yield node.value
    elif isinstance(node, ast.JoinedStr):
        yield "".join(v.value for v in node.values if isinstance(v, ast.Constant))
    elif isinstance(node, ast.BinOp):
        yield from _literal_texts(node.left)
        yield from _literal_texts(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _literal_texts(node.body)
        yield from _literal_texts(node.orelse)
    elif isinstance(node, (ast.List, ast.Tuple)):
        for element in node.elts:
            yield from _literal_texts(element)


def unwrapped_messages(source, filename="<code>"):
    """(line, text) of German literals handed to a message sink without a translator."""
    tree = ast.parse(source, filename)
    raised = {id(node.exc) for node in ast.walk(tree)
              if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)}
    found = []
    for node in ast.walk(tree):
        arguments = []
        if isinstance(node, ast.Call):
            name = _name(node.func) or ""
            if name in TRANSLATORS or name in OPERATOR_ERRORS:
                continue
            if id(node) in raised or name in SINK_CALLS or name.endswith(("Error", "Rejected")):
                arguments += node.args
            if name == "append" and _name(node.func.value) in ("errors", "form_errors"):
                arguments += node.args
            arguments += [k.value for k in node.keywords if k.arg in SINK_KEYWORDS]
        elif isinstance(node, ast.Assign) and any(
                _name(t) == "errors"
                or (isinstance(t, ast.Subscript) and _name(t.value) == "errors")
                for t in node.targets):
            arguments.append(node.value)
        for argument in arguments:
            for text in _literal_texts(argument):
                if GERMAN.search(text):
                    found.append((argument.lineno, text))
    return sorted(found)


def _scanned_files():
    for entry in SCANNED:
        path = ROOT / entry
        for file in sorted([path] if path.is_file() else path.rglob("*.py")):
            relative = file.relative_to(ROOT).as_posix()
            if relative not in NOT_TRANSLATED:
                yield relative, file


def test_unwrapped_messages_finds_german_text_in_each_sink():
    source = '''
def f(form):
    raise DecisionError("Bitte geben Sie einen Betrag an.", "amount")
    flash(f"Die Datei {name} ist zu groß.", "error")
    form.title.errors.append("Das Feld ist leer.")
    errors["x"] = "Bitte geben Sie eine Zahl ein."
    mail.queue(to=x, subject="Ihre Bewerbung")
    raise DecisionError(_l("Bitte geben Sie einen Betrag an."), "amount")
    flash(_("Gespeichert."), "success")
    raise ValueError(kind)
'''
    assert [line for line, _ in unwrapped_messages(source)] == [3, 4, 5, 6, 7]


def test_german_messages_in_code_are_translatable():
    offenders = [f"{relative}:{line}: {text[:60]!r}"
                 for relative, file in _scanned_files()
                 for line, text in unwrapped_messages(file.read_text(encoding="utf-8"), relative)]
    assert offenders == []


def test_services_use_one_translation_style():
    """Services, models and permissions translate lazily through awards.i18n._l, never
    eagerly and never with flask_babel's markup-marked lazy strings."""
    offenders = []
    for entry in ("awards/services", "awards/models", "awards/permissions.py"):
        path = ROOT / entry
        for file in sorted([path] if path.is_file() else path.rglob("*.py")):
            tree = ast.parse(file.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                    names = {alias.name for alias in node.names}
                    if names & {"gettext", "lazy_gettext", "ngettext", "lazy_ngettext"}:
                        offenders.append(f"{file.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_every_message_in_code_has_an_english_translation():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle)
    missing = []
    extracted = 0
    for filename, line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=METHOD_MAP, keywords=KEYWORDS,
            options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
        extracted += 1
        msgid = message if isinstance(message, str) else message[0]
        entry = catalogue.get(msgid)
        strings = [] if entry is None else (
            [entry.string] if isinstance(entry.string, str) else list(entry.string))
        if entry is None or entry.fuzzy or not all(strings):
            missing.append(f"{filename}:{line}: {msgid[:70]!r}")
    assert extracted > 1000  # the extraction really read our code and templates
    assert missing == []
