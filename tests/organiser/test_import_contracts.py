"""The import structure holds: no import cycle between any two project modules (lazy imports inside functions
included), the contracts in pyproject.toml kept by ``lint-imports``, and messaging reached one way (the apps it
speaks for send signals they define; none names it in a string)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("organiser", "campaigns", "volunteers", "canvassing", "messaging", "conversations", "compliance")


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan, iteratively)."""
    modules = sorted(m for m in graph.modules if ".migrations" not in m)
    known = set(modules)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m) & known) for m in modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in modules:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            if child < len(edges[node]):
                work.append((node, child + 1))
                nxt = edges[node][child]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return groups


def test_no_import_cycle_between_any_two_project_modules(monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT))
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    assert _cycles(graph) == [], "modules that import each other (directly or round a loop)"


def test_the_cycle_check_sees_a_cycle_hidden_in_a_function(tmp_path, monkeypatch):
    package = tmp_path / "loopy"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "services.py").write_text("def queue():\n    from loopy import tasks\n")
    (package / "tasks.py").write_text("from loopy.services import queue\n")
    (package / "alone.py").write_text("from loopy import services\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert _cycles(grimp.build_graph("loopy", cache_dir=None)) == [["loopy.services", "loopy.tasks"]]


def test_the_import_contracts_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert re.search(r"Contracts: \d+ kept, 0 broken", result.stdout)


def test_no_app_reaches_messaging_by_name():
    """The one-way boundary: no string-named hook (``getattr`` on a name, ``apps.is_installed``, ``import_module``)
    from the apps messaging speaks for; they send the signals they define."""
    found = []
    for app in ("volunteers", "campaigns", "canvassing"):
        for path in (ROOT / app).rglob("*.py"):
            text = path.read_text()
            for pattern in (r"is_installed\(\s*['\"]messaging", r"import_module\(\s*['\"]messaging", r"\b_tell\("):
                found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert found == []
