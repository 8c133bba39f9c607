"""The architecture map names code that exists, and the module boundaries it promises hold."""

import ast
import importlib
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
