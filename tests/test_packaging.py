"""The Android specs list what the apps import: every third-party module that the staged
packages (sdk, appkit and the app) import is in ``requirements`` (through the distribution that
provides it here) or on the spec's ``not-on-phone`` line, and every listed pure-Python
distribution's own dependencies are listed too (a python-for-android recipe brings its own).
Nothing is built: buildozer cannot run on this machine."""

from __future__ import annotations

import ast
import importlib.metadata as md
import re
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(p.parent.name for p in (ROOT / "packaging").glob("*/buildozer.spec"))
NOT_PIP = {"python3", "android", "openssl", "sqlite3"}  # python-for-android recipes with no PyPI twin
ON_ANDROID_ONLY = {"jnius": "pyjnius", "android": "android"}  # not installable on a desktop


def _spec(app: str) -> tuple[set[str], set[str], set[str]]:
    """(requirements, modules not needed on a phone, requirements built by a p4a recipe)."""
    text = (ROOT / "packaging" / app / "buildozer.spec").read_text("utf-8")
    req = re.search(r"^requirements = (.+)$", text, re.M)
    skip = re.search(r"^# not-on-phone: (.+)$", text, re.M)
    recipes = re.search(r"^# p4a-recipes: (.+)$", text, re.M)
    assert req and skip and recipes
    names = {re.split(r"[=<>]", r.strip())[0].lower() for r in req.group(1).split(",")}
    return names, set(skip.group(1).split()), {_norm(r) for r in recipes.group(1).split()}


def _imports(app: str) -> set[str]:
    stdlib = set(sys.stdlib_module_names)
    ours = {"sdk", "appkit", f"{app}_app", "__future__"}
    found: set[str] = set()
    for pkg in ("sdk", "appkit", f"{app}_app"):
        for f in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(f.read_text("utf-8"))):
                if isinstance(node, ast.Import):
                    found |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module.split(".")[0])
    return found - stdlib - ours


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_there_are_specs_for_both_apps() -> None:
    assert APPS == ["field", "wallet"]


@pytest.mark.parametrize("app", APPS)
def test_every_import_is_required_or_declared_not_on_phone(app: str) -> None:
    required, skipped, _recipes = _spec(app)
    required = {_norm(r) for r in required}
    providers = md.packages_distributions()
    missing = []
    for mod in sorted(_imports(app) - skipped):
        dists = [_norm(d) for d in providers.get(mod, [])] or [_norm(ON_ANDROID_ONLY.get(mod, mod))]
        if not any(d in required for d in dists):
            missing.append(f"{mod} ({', '.join(dists)})")
    assert not missing, f"packaging/{app}/buildozer.spec does not list: {missing}"


@pytest.mark.parametrize("app", APPS)
def test_listed_distributions_bring_their_dependencies(app: str) -> None:
    required, _skipped, recipes = _spec(app)
    required = {_norm(r) for r in required}
    assert recipes <= required
    env = {**default_environment(), "extra": ""}
    missing = []
    for name in sorted(required - NOT_PIP - recipes):  # a recipe brings what it needs
        try:
            deps = md.requires(name) or []
        except md.PackageNotFoundError:
            continue  # a recipe-only or Android-only requirement (pyjnius, cffi's build side, ...)
        for d in deps:
            r = Requirement(d)
            if (r.marker is None or r.marker.evaluate(env)) and _norm(r.name) not in required:
                missing.append(f"{name} -> {r.name}")
    assert not missing, f"packaging/{app}/buildozer.spec misses dependencies: {missing}"


def test_stage_refuses_a_wallet_without_its_configuration() -> None:
    done = subprocess.run([sys.executable, str(ROOT / "packaging" / "stage.py"), "wallet"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2 and "--config" in done.stderr and "Traceback" not in done.stderr
