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
# Views that commit themselves, each for a reason (everything else commits once at the end
# of the request, awards/unit_of_work.py).
VIEW_COMMITS_ALLOWED = {}


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


def test_views_do_not_commit(sources):
    found = defaultdict(int)
    for name, (path, tree) in sources.items():
        if not name.startswith("awards.views"):
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "commit"):
                found[str(path.relative_to(ROOT))] += 1
    assert dict(found) == VIEW_COMMITS_ALLOWED


def test_the_checks_see_what_they_look_for():
    # Positive controls, on made-up modules.
    tree = ast.parse("import os\ndef f():\n    from awards.services import scoring\n")
    assert [ast.unparse(n) for n in _import_nodes(tree, inside_functions=True)] == [
        "from awards.services import scoring"]
    node = ast.parse("from . import rounds").body[0]
    assert "awards.services.jury.rounds" in _resolve("awards.services.jury.ranking", node, False)
    assert "awards.services.jury.rounds" in _resolve("awards.services.jury", node, True)


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
