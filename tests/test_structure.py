"""The shape the code keeps: render/ is a leaf the core never imports, and its modules import
one another without a cycle (a renderer uses documents.py; documents.py uses no renderer)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import rehab

PACKAGE = Path(rehab.__file__).parent


def imported_modules(path: Path) -> set[str]:
    """Every rehab module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("rehab")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("rehab"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}  # `from rehab.render import pdf`
    return found


def test_render_modules_import_one_another_without_a_cycle():
    modules = {f"rehab.render.{p.stem}": p for p in (PACKAGE / "render").glob("*.py") if p.stem != "__init__"}
    edges = {name: imported_modules(path) & set(modules) - {name} for name, path in modules.items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(n == goal or (n not in seen and reaches(n, goal, seen | {n})) for n in edges[start])

    cycles = sorted(name for name in modules if reaches(name, name, {name}))
    assert not cycles, {name: sorted(edges[name]) for name in cycles}
    assert "rehab.render.documents" in edges["rehab.render.pdf"]  # the graph is really read


def test_the_core_imports_nothing_from_render_nor_the_config():
    core = ["deviations", "today", "timeline", "report", "wording", "entry_input", "vocab", "model", "dates"]
    for name in core:
        imports = imported_modules(PACKAGE / f"{name}.py")
        assert not {m for m in imports if m.startswith("rehab.render") or m == "rehab.config"}, name
    code = ("import sys, " + ", ".join(f"rehab.{name}" for name in core) + "; "
            "print(sorted(m for m in sys.modules if m.startswith('rehab.render') or m == 'rehab.config'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_render_reads_no_configuration():
    for path in (PACKAGE / "render").glob("*.py"):
        assert "rehab.config" not in imported_modules(path) and "platformdirs" not in path.read_text(), path.name
