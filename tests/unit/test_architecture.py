"""The layout's promises: no import cycles, mechanisms below the engine, one catalogue."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from simlib.mechanisms.base import HOOKS, Mechanism, Step, ordered_steps
from simlib.mechanisms.registry import MECHANISMS
from simlib.metrics.catalogue import METRICS, markdown_table

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "simlib"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Edges between simlib modules, type-only and function-level imports included."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}

    def resolve(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [base] + [f"{base}.{a.name}" for a in node.names]
            for target in targets:
                found = resolve(target) if target.startswith("simlib") else None
                # A package's __init__ may re-export its own submodules.
                inside = path.name == "__init__.py" and (found or "").startswith(name + ".")
                if found and found != name and not inside:
                    graph[name].add(found)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_the_package_has_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_layers_point_one_way():
    graph = import_graph()
    below_engine = ("simlib.scenario", "simlib.state", "simlib.mechanisms", "simlib.metrics")
    for module, targets in graph.items():
        if module.startswith(below_engine):
            upward = [t for t in targets if t.startswith(("simlib.engine", "simlib.experiments"))]
            assert not upward, f"{module} imports {upward}"
        if module.startswith("simlib.engine"):
            assert not [t for t in targets if t.startswith("simlib.experiments")], module
        if module.startswith(("simlib.analysis", "simlib.present")):
            assert not [
                t
                for t in targets
                if t.startswith(("simlib.experiments.sweep", "simlib.experiments.execution"))
            ], module


def test_figures_load_without_the_engine():
    code = (
        "import sys, simlib.present.plots; "
        "print([m for m in sys.modules if m.startswith('simlib.engine')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_attribute_is_added_to_an_object_behind_the_type_checker():
    hits = [p for p in PACKAGE.rglob("*.py") if "attr-defined" in p.read_text()]
    assert hits == []


def test_registered_steps_respect_their_order_constraints():
    names = [m.name for m in MECHANISMS]
    assert len(names) == len(set(names))
    for hook in HOOKS:
        order = [name for name, _ in ordered_steps(MECHANISMS, hook)]
        for position, (name, step) in enumerate(ordered_steps(MECHANISMS, hook)):
            for earlier in step.after:
                if earlier in order:
                    assert order.index(earlier) < position, (hook, name, earlier)


def test_an_order_constraint_moves_a_step_and_a_cycle_is_refused():
    def noop(sim):
        return None

    a = Mechanism("a", steps=(Step("start", noop, after=("b",)),))
    b = Mechanism("b", steps=(Step("start", noop),))
    assert [n for n, _ in ordered_steps((a, b), "start")] == ["b", "a"]
    c = Mechanism("c", steps=(Step("start", noop, after=("a",)),))
    a2 = Mechanism("a", steps=(Step("start", noop, after=("c",)),))
    try:
        ordered_steps((a2, c), "start")
    except ValueError as e:
        assert "wait on each other" in str(e)
    else:
        raise AssertionError("a cycle of constraints was accepted")


def test_the_readme_outcomes_table_is_the_catalogue():
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme
    for name in METRICS:
        assert f"`{name}`" in markdown_table()


def test_notebooks_import_only_public_names():
    import json
    import re

    import simlib

    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert not re.search(r"^\s*(from|import) simlib\.", code, re.M), notebook.name
        for names in re.findall(r"^from simlib import ([\w, ]+)$", code, re.M):
            for name in names.split(","):
                assert name.strip() in simlib.__all__, (notebook.name, name)
                getattr(simlib, name.strip())
