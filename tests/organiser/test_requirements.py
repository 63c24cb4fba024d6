"""Every dependency is pinned, and the pins are the whole story: requirements.txt (what runs) and
requirements-dev.txt (what tests) name every package by ``==``, what each needs is pinned too, the environment
holds exactly those versions (``pip check`` passes), and a fresh resolution of the files picks exactly the pins."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "requirements-dev.txt"
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check"]


def _requirements(name: str) -> list[Requirement]:
    found = []
    for line in (ROOT / name).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += _requirements(line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


def _pins(name: str) -> dict[str, str]:
    return {canonicalize_name(r.name): str(r.specifier).removeprefix("==") for r in _requirements(name)}


def _needed(requirements: list[Requirement]) -> set[str]:
    """Every distribution the requirements pull in (with their extras, on this platform), from what is installed."""
    seen: dict[str, set[str]] = {}
    todo = [(r.name, set(r.extras)) for r in requirements]
    while todo:
        name, extras = todo.pop()
        key = canonicalize_name(name)
        if key in seen and extras <= seen[key]:
            continue
        seen[key] = seen.get(key, set()) | extras
        for line in metadata.distribution(name).requires or []:
            need = Requirement(line)
            if need.marker and not any(need.marker.evaluate({"extra": e}) for e in seen[key] | {""}):
                continue
            todo.append((need.name, set(need.extras)))
    return set(seen)


def test_every_requirement_is_pinned_and_installed_at_its_pin():
    for name in ("requirements.txt", "requirements-dev.txt"):
        for requirement in _requirements(name):
            assert re.fullmatch(r"==[^,*]+", str(requirement.specifier)), f"{name}: {requirement} is not pinned"
            assert metadata.version(requirement.name) == str(requirement.specifier)[2:], requirement


def test_what_the_pins_need_is_pinned_in_the_same_file():
    for name in ("requirements.txt", "requirements-dev.txt"):
        missing = _needed(_requirements(name)) - set(_pins(name))
        assert missing == set(), f"{name} does not pin {sorted(missing)}"


def test_pip_check_finds_every_dependency_satisfied():
    result = subprocess.run([*PIP, "check"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_fresh_resolution_picks_exactly_the_pins(tmp_path):
    """pip resolves the files afresh (ignoring what is installed, not installing): the same set, each at its pin."""
    report = tmp_path / "report.json"
    result = subprocess.run(
        [*PIP, "install", "--quiet", "--dry-run", "--ignore-installed", "--report", str(report), "-r", str(DEV)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    resolved = {
        canonicalize_name(item["metadata"]["name"]): item["metadata"]["version"]
        for item in json.loads(report.read_text())["install"]
    }
    assert resolved == _pins("requirements-dev.txt")
