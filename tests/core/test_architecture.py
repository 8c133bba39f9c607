"""The architecture map names code that exists, and the module boundaries it promises hold."""

import ast
import importlib
import itertools
import re
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]
MAP = ROOT / "docs" / "architecture.md"
APPS = ("eskilstuna_trygghet", "surveys", "lagesbild", "accounts")
REFERENCE = re.compile(rf"`((?:{'|'.join(APPS)})(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`")
PATH = re.compile(r"`([A-Za-z_][\w/.-]*(?:\.py|/))`")


def _resolve(dotted: str) -> object:
    """Import the longest module prefix of ``dotted`` and look the rest up as attributes."""
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for name in parts[split:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(dotted)


def test_every_function_the_architecture_map_names_exists() -> None:
    references = sorted(set(REFERENCE.findall(MAP.read_text(encoding="utf-8"))))
    assert len(references) > 20
    missing = []
    for dotted in references:
        try:
            found = _resolve(dotted)
        except (ImportError, AttributeError):
            missing.append(dotted)
            continue
        assert not isinstance(found, ModuleType) or "." in dotted
    assert missing == []


def test_every_file_the_architecture_map_names_exists() -> None:
    paths = set(PATH.findall(MAP.read_text(encoding="utf-8")))
    bases = [ROOT, *(ROOT / app for app in APPS)]
    missing = [path for path in paths if not any((base / path).exists() for base in bases)]
    assert missing == []


def test_the_disclosure_audit_imports_nothing_of_the_suppression() -> None:
    source = (ROOT / "lagesbild" / "disclosure_audit.py").read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            imported.add(module)
            imported.update(f"{module}.{alias.name}" for alias in node.names)
    suppression = ("disclosure", "cube")
    assert not [
        name
        for name in imported
        if any(re.search(rf"(^|\.)(lagesbild\.)?{part}(\.|$)", name) for part in suppression)
    ]


LAYERED_APPS = ("accounts", "surveys", "lagesbild")
MAX_LINES = 400
LONG_REASON = "long because"


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _module_level_imports(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """The imports run when the module is imported: not those inside a function or a class
    body's methods, nor those under ``if TYPE_CHECKING:``."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If):
            if not _is_type_checking(node.test):
                found.extend(_module_level_imports(node.body))
            found.extend(_module_level_imports(node.orelse))
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                found.extend(_module_level_imports(block))
            for handler in node.handlers:
                found.extend(_module_level_imports(handler.body))
    return found


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of what ``path`` imports at module import time (for ``from a import
    b`` both ``a`` and ``a.b``: b may be a module)."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = parts[:-1]  # the package a relative import starts from, also for __init__
    names: set[str] = set()
    for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8")).body):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        else:
            base = package[: len(package) - (node.level - 1)] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            # `from lagesbild import selectors` imports the module lagesbild.selectors
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def _app_sources(app: str, *, migrations: bool = True) -> list[Path]:
    return sorted(
        path
        for path in (ROOT / app).rglob("*.py")
        if migrations or "migrations" not in path.relative_to(ROOT).parts
    )


def _app_imports() -> dict[str, dict[str, list[str]]]:
    """app -> other app -> the modules of the first app that import the second."""
    edges: dict[str, dict[str, list[str]]] = {app: {} for app in LAYERED_APPS}
    for app in LAYERED_APPS:
        for path in _app_sources(app):
            for name in _imported_modules(path):
                other = name.split(".")[0]
                if other in LAYERED_APPS and other != app:
                    module = str(path.relative_to(ROOT))
                    edges[app].setdefault(other, []).append(f"{module} imports {name}")
    return edges


def _cycle(edges: dict[str, dict[str, list[str]]]) -> list[str]:
    """One cycle of the app graph as the apps along it, or [] when there is none."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(app: str) -> list[str]:
        state[app] = "open"
        stack.append(app)
        for other in sorted(edges[app]):
            if state.get(other) == "open":
                return [*stack[stack.index(other) :], other]
            if other not in state and (found := visit(other)):
                return found
        stack.pop()
        state[app] = "done"
        return []

    for app in LAYERED_APPS:
        if app not in state and (found := visit(app)):
            return found
    return []


def test_the_import_graph_sees_module_level_imports_only() -> None:
    source = (
        "from typing import TYPE_CHECKING\n"
        "import surveys.models\n"
        "from ..lagesbild import cache\n"
        "if TYPE_CHECKING:\n    from accounts.models import Membership\n"
        "def f() -> None:\n    from accounts import access\n"
    )
    assert len(_module_level_imports(ast.parse(source).body)) == 3
    edges = {"accounts": {"surveys": ["x"]}, "surveys": {"lagesbild": ["y"]}, "lagesbild": {}}
    assert _cycle(edges) == []
    edges["lagesbild"]["accounts"] = ["z"]
    assert _cycle(edges) == ["accounts", "surveys", "lagesbild", "accounts"]


def test_the_apps_import_each_other_without_a_cycle() -> None:
    """accounts <- surveys <- lagesbild at module import time: an import the other way
    belongs inside a function, under TYPE_CHECKING, or in the app that depends on both."""
    edges = _app_imports()
    cycle = _cycle(edges)
    assert cycle == [], [
        line for app, other in itertools.pairwise(cycle) for line in edges[app][other]
    ]


def test_no_module_is_longer_than_400_lines_without_saying_why() -> None:
    too_long = []
    for app in APPS:
        for path in _app_sources(app, migrations=False):
            source = path.read_text(encoding="utf-8")
            if len(source.splitlines()) <= MAX_LINES:
                continue
            docstring = ast.get_docstring(ast.parse(source)) or ""
            if LONG_REASON not in docstring.partition("\n")[0]:
                too_long.append(str(path.relative_to(ROOT)))
    assert too_long == []


def test_the_dashboards_verdicts_and_page_builders_make_no_query() -> None:
    """They import no ORM, selector, cache or questionnaire reader; of `lagesbild.models`
    only its choices and constants (plain values)."""
    pure = [
        ROOT / "lagesbild" / "public.py",
        ROOT / "lagesbild" / "verdicts.py",
        *sorted((ROOT / "lagesbild" / "pages").glob("*.py")),
    ]
    choices = {
        "KOMMUN_AREA",
        "CELL_KEY_FIELDS",
        "CELL_SHOWN_FIELDS",
        "Breakdown",
        "CellState",
        "Trend",
        "MeasureStatus",
        "Party",
    }
    forbidden = re.compile(
        r"^(django\.db|surveys|accounts|lagesbild\.(selectors|cache|wording|services))(\.|$)"
    )
    found = []
    for path in pure:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for name in _imported_modules(path):
            if forbidden.match(name):
                found.append(f"{path.name} imports {name}")
        for node in _module_level_imports(tree.body):
            module = "." * getattr(node, "level", 0) + (getattr(node, "module", "") or "")
            if isinstance(node, ast.ImportFrom) and module.endswith("models"):
                found.extend(
                    f"{path.name} imports models.{alias.name}"
                    for alias in node.names
                    if alias.name not in choices
                )
    assert len(pure) > 5
    assert found == []


def _all_absolute_imports(path: Path) -> set[str]:
    """Every absolutely imported module of ``path``, at any depth (also inside functions)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names.add(node.module)
    return names


def test_tests_and_benchmarks_share_the_harness_not_each_other() -> None:
    """The suite imports no benchmark, and the application neither the harness nor the
    benchmarks: what both need lives in `harness/`."""
    found: list[str] = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        found.extend(
            f"{path.relative_to(ROOT)} imports {name}"
            for name in _all_absolute_imports(path)
            if name.split(".")[0] == "bench"
        )
    for app in APPS:
        for path in _app_sources(app):
            found.extend(
                f"{path.relative_to(ROOT)} imports {name}"
                for name in _all_absolute_imports(path)
                if name.split(".")[0] in ("bench", "harness", "tests")
            )
    assert found == []
