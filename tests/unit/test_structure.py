"""The structure of the code, checked: layers, no import cycles, one unit of work, and a
unit test file for every service module.

Read from the source with `ast`, so a new module is checked without being listed here.
"""
import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "awards"
SERVICES = PACKAGE / "services"
UNIT_TESTS = ROOT / "tests" / "unit"
# Where an import inside a function would only hide a cycle or a wrong layer.
LAYERED = ("services", "models", "views", "forms", "jury", "permissions.py")
# Views that commit or roll back themselves, each for a reason: none. The request commits
# once at its end; a view that refuses calls unit_of_work.discard(); an exception that
# reaches Flask is rolled back before the error handlers answer (awards/unit_of_work.py).
VIEW_TRANSACTION_CALLS_ALLOWED = {}
# Outside a request, work is committed only through unit_of_work.transaction() (or a Job of
# it), item by item. Modules here that commit or roll back themselves, each for a reason
# listed in the docstring of awards/unit_of_work.py: none.
JOB_MODULES = ("awards.services", "awards.commands", "awards.demo", "awards.cli")
JOB_COMMITS_ALLOWED = {}


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _resolve(module, node, is_package):
    """Absolute names of our modules an import statement names."""
    names = []
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = module.split(".")
            base = base[: len(base) - node.level + (1 if is_package else 0)]
            prefix = ".".join(base + ([node.module] if node.module else []))
        else:
            prefix = node.module or ""
        names = [prefix] + [f"{prefix}.{alias.name}" for alias in node.names]
    return [n for n in names if n == "awards" or n.startswith("awards.")]


def _import_nodes(tree, *, inside_functions):
    """Import statements at module level (also inside if/try), or inside functions."""
    found = []

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                visit(child, True)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                if in_function == inside_functions:
                    found.append(child)
            else:
                visit(child, in_function)

    visit(tree, False)
    return found


def _is_type_checking(tree, node):
    for parent in ast.walk(tree):
        if isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test):
            if node in list(ast.walk(parent)):
                return True
    return False


@pytest.fixture(scope="module")
def sources():
    return {name: (path, ast.parse(path.read_text(encoding="utf-8"))) for name, path in _modules()}


def _layered(name):
    rest = name.split(".", 1)[1] if "." in name else ""
    return any(rest == layer.removesuffix(".py") or rest.startswith(layer + ".")
               for layer in LAYERED)


def test_no_imports_of_our_modules_inside_functions(sources):
    found = []
    for name, (path, tree) in sources.items():
        if not _layered(name):
            continue
        for node in _import_nodes(tree, inside_functions=True):
            if _resolve(name, node, path.name == "__init__.py"):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert found == [], "imports inside functions hide cycles:\n" + "\n".join(found)


def test_the_modules_import_each_other_without_cycles(sources):
    known = set(sources)
    graph = defaultdict(set)
    for name, (path, tree) in sources.items():
        for node in _import_nodes(tree, inside_functions=False):
            if _is_type_checking(tree, node):
                continue
            for target in _resolve(name, node, path.name == "__init__.py"):
                # "from awards.services import scoring" names the package and the module.
                if target in known and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    # A package's __init__ importing its own submodules is not a cycle of the layers.
    cycles = []
    state = {}

    def walk(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(" -> ".join(stack[stack.index(nxt):] + [nxt]))
            elif nxt not in state:
                walk(nxt, stack)
        stack.pop()
        state[node] = "done"

    for node in sorted(known):
        if node not in state:
            walk(node, [])
    assert cycles == [], "import cycles:\n" + "\n".join(cycles)


def _own_transaction_calls(tree):
    """Calls of `.commit()` and `.rollback()` (on a session, a connection, anything)."""
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("commit", "rollback")]


def test_views_neither_commit_nor_roll_back(sources):
    found = defaultdict(list)
    for name, (path, tree) in sources.items():
        if not (name == "awards.views" or name.startswith("awards.views.")):
            continue
        for node in _own_transaction_calls(tree):
            found[str(path.relative_to(ROOT))].append(f"{node.lineno}: {ast.unparse(node)}")
    assert dict(found) == VIEW_TRANSACTION_CALLS_ALLOWED, (
        "the request commits at its end; a refusing view calls unit_of_work.discard()")


def test_jobs_commit_only_through_the_unit_of_work(sources):
    found = defaultdict(list)
    for name, (path, tree) in sources.items():
        if not any(name == m or name.startswith(m + ".") for m in JOB_MODULES):
            continue
        for node in _own_transaction_calls(tree):
            found[str(path.relative_to(ROOT))].append(f"{node.lineno}: {ast.unparse(node)}")
    assert dict(found) == JOB_COMMITS_ALLOWED, (
        "commit item by item with unit_of_work.transaction() or a unit_of_work.Job")


def _mentions(node, name):
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(node))


def _is_errors(node):
    """`form.x.errors`, `form.form_errors`, `getattr(...).errors`, a list named `...errors`."""
    if isinstance(node, ast.Attribute):
        return node.attr in ("errors", "form_errors")
    return isinstance(node, ast.Name) and node.id.endswith("errors")


def _errors_copied_by_hand(tree):
    """Except handlers that put the caught error's text into a form's errors themselves."""
    found = []
    for handler in ast.walk(tree):
        if not (isinstance(handler, ast.ExceptHandler) and handler.name):
            continue
        for node in ast.walk(handler):
            if isinstance(node, ast.Assign):
                hit = any(_is_errors(t) for t in node.targets) and _mentions(node.value,
                                                                            handler.name)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                hit = (node.func.attr in ("append", "extend", "insert")
                       and _is_errors(node.func.value)
                       and any(_mentions(a, handler.name) for a in node.args))
            else:
                hit = False
            if hit:
                found.append(node)
    return found


def test_views_show_service_errors_with_show_on_form(sources):
    """A view shows a DomainError (or StaleObjectError) on its form with
    errors.show_on_form, which keeps the field, the summary and what was typed in one place;
    it never copies the message into `form.<field>.errors` by hand."""
    found = []
    for name, (path, tree) in sources.items():
        if not name.startswith("awards.views"):
            continue
        for node in _errors_copied_by_hand(tree):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {ast.unparse(node)}")
    assert found == [], "use errors.show_on_form(form, exc):\n" + "\n".join(found)


def test_the_checks_see_what_they_look_for():
    # Positive controls, on made-up modules.
    tree = ast.parse("import os\ndef f():\n    from awards.services import scoring\n")
    assert [ast.unparse(n) for n in _import_nodes(tree, inside_functions=True)] == [
        "from awards.services import scoring"]
    node = ast.parse("from . import rounds").body[0]
    assert "awards.services.jury.rounds" in _resolve("awards.services.jury.ranking", node, False)
    assert "awards.services.jury.rounds" in _resolve("awards.services.jury", node, True)
    tree = ast.parse("def run():\n    db.session.commit()\n    session.rollback()\n"
                     "    with unit_of_work.transaction():\n        pass\n")
    assert [ast.unparse(n) for n in _own_transaction_calls(tree)] == [
        "db.session.commit()", "session.rollback()"]
    tree = ast.parse("try:\n    pass\nexcept DomainError as exc:\n"
                     "    form.title.errors = [str(exc)]\n"
                     "    form.form_errors.append(exc.message)\n"
                     "    getattr(form, exc.field).errors.append(str(exc))\n"
                     "    errors.append(str(exc))\n"
                     "    show_on_form(form, exc)\n"
                     "    form.title.errors = ['Bitte wählen Sie eine Datei aus.']\n")
    assert [n.lineno for n in _errors_copied_by_hand(tree)] == [4, 5, 6, 7]


# --- tests/unit mirrors awards/services ----------------------------------------------------

def _mirror_names(service_modules):
    """{service module (path relative to awards/services): the unit test file names that
    may hold its tests}. A top-level module `x` has `test_x.py`; a module `x` of a
    sub-package `p` (the jury) has `test_p_x.py`, or `test_x.py` unless a top-level module
    of that name owns it (jury/exports.py: test_jury_exports.py, exports.py: test_exports.py)."""
    top = {Path(m).stem for m in service_modules if "/" not in m}
    names = {}
    for module in service_modules:
        *package, stem = Path(module).with_suffix("").parts
        if not package:
            names[module] = {f"test_{stem}.py"}
        else:
            names[module] = {f"test_{'_'.join(package)}_{stem}.py"}
            if stem not in top:
                names[module].add(f"test_{stem}.py")
    return names


def test_every_service_module_has_its_unit_test_file():
    modules = sorted(str(p.relative_to(SERVICES)) for p in SERVICES.rglob("*.py")
                     if p.name != "__init__.py")
    present = {p.name for p in UNIT_TESTS.glob("test_*.py")}
    missing = [f"awards/services/{module}: " + " or ".join(f"tests/unit/{n}" for n in sorted(wanted))
               for module, wanted in _mirror_names(modules).items() if not wanted & present]
    assert missing == [], "service modules without unit tests:\n" + "\n".join(missing)


def test_the_mirror_check_names_the_right_files():
    # A positive control, on made-up modules.
    assert _mirror_names(["exports.py", "jury/exports.py", "jury/ranking.py"]) == {
        "exports.py": {"test_exports.py"},
        "jury/exports.py": {"test_jury_exports.py"},
        "jury/ranking.py": {"test_jury_ranking.py", "test_ranking.py"},
    }
