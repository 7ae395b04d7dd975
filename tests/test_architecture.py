"""Layering, import rules and the public facade (ARCHITECTURE.md §2, specs/credential-profile.md).

Layers (lowest first): sdk.curves -> sdk.bbs -> sdk.predicates -> sdk.wire -> sdk.trust ->
sdk.credential -> sdk.referral -> sdk (facade). sdk.transport and sdk.client know bytes only. The three
applications import sdk and never each other; the two Kivy apps share appkit (which imports
neither); Kivy stays in main.py, screens/, platform/ (and appkit.ui).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import sdk

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ["sdk.curves", "sdk.bbs", "sdk.predicates", "sdk.wire", "sdk.trust", "sdk.credential", "sdk.referral"]
BYTES_ONLY = {"sdk.transport", "sdk.client"}
SHARED = {"sdk.errors", "sdk.reasons"}  # every layer may raise its errors with its reason codes
APPS = ["wallet_app", "field_app", "verifier_service"]


def modules(package: str) -> list[tuple[str, Path]]:
    base = ROOT / package.replace(".", "/")
    files = [base.with_suffix(".py")] if base.with_suffix(".py").exists() else sorted(base.rglob("*.py"))
    out = []
    for f in files:
        rel = f.relative_to(ROOT).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append((".".join(parts), f))
    return out


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def owner(name: str) -> str | None:
    """The sdk layer (or bytes-only package) a module name belongs to."""
    for pkg in [*LAYERS, *BYTES_ONLY]:
        if name == pkg or name.startswith(pkg + "."):
            return pkg
    if name in SHARED:
        return name
    return None


@pytest.mark.parametrize("layer", LAYERS)
def test_layers_import_only_lower_layers(layer: str) -> None:
    allowed = {*SHARED, *LAYERS[: LAYERS.index(layer) + 1]}
    for mod, path in modules(layer):
        for imp in imports_of(path):
            if imp == "sdk" or (imp.startswith("sdk.") and owner(imp) is None):
                pytest.fail(f"{mod} imports {imp}: use a concrete layer, not the facade")
            o = owner(imp)
            if o is not None and o not in allowed:
                pytest.fail(f"{mod} (layer {layer}) imports {imp} from a higher or sibling layer")


@pytest.mark.parametrize("pkg", sorted(BYTES_ONLY))
def test_bytes_only_packages(pkg: str) -> None:
    for mod, path in modules(pkg):
        for imp in imports_of(path):
            o = owner(imp)
            if o is not None and o not in {*SHARED, pkg}:
                pytest.fail(f"{mod} must know bytes only, but imports {imp}")


def test_linkage_sits_beside_credential_above_curves() -> None:
    """sdk.linkage (person matching, issue 14) builds on sdk.curves only: no credential, wire or trust."""
    allowed = {*SHARED, "sdk.curves", "sdk.linkage"}
    found = modules("sdk.linkage")
    assert found, "sdk.linkage is missing"
    for mod, path in found:
        for imp in imports_of(path):
            if (imp == "sdk" or imp.startswith("sdk.")) and not any(
                    imp == a or imp.startswith(a + ".") for a in allowed):
                pytest.fail(f"{mod} imports {imp}: sdk.linkage may use only sdk.curves and sdk.errors")


def test_only_curves_touch_the_curve_libraries() -> None:
    for mod, path in modules("sdk"):
        if mod.startswith("sdk.curves"):
            continue
        bad = {i for i in imports_of(path) if i.split(".")[0] in {"py_ecc", "py_arkworks_bls12381"}}
        assert not bad, f"{mod} imports {bad}: only sdk.curves may"


def test_sdk_imports_no_framework() -> None:
    for mod, path in modules("sdk"):
        bad = {i for i in imports_of(path) if i.split(".")[0] in {"kivy", "fastapi", "sqlalchemy", "starlette"}}
        assert not bad, f"{mod} imports {bad}"


@pytest.mark.parametrize("app", APPS)
def test_apps_do_not_import_each_other(app: str) -> None:
    if not (ROOT / app).exists():
        pytest.fail(f"{app}/ is missing")
    others = set(APPS) - {app}
    for mod, path in modules(app):
        bad = {i for i in imports_of(path) if i.split(".")[0] in others | {"zkaid"}}
        assert not bad, f"{mod} imports {bad}"


def test_appkit_serves_the_two_kivy_apps_only() -> None:
    """appkit (shared by wallet_app and field_app) imports neither app, nor the service, nor
    the CLI; Kivy only in appkit.ui; the service has no use for it."""
    assert modules("appkit"), "appkit/ is missing"
    for mod, path in modules("appkit"):
        imports = imports_of(path)
        bad = {i for i in imports if i.split(".")[0] in {*APPS, "zkaid"}}
        assert not bad, f"{mod} imports {bad}"
        if not mod.startswith("appkit.ui"):
            assert not {i for i in imports if i.split(".")[0] == "kivy"}, f"{mod} imports Kivy outside appkit.ui"
    for mod, path in modules("verifier_service"):
        assert not {i for i in imports_of(path) if i.split(".")[0] == "appkit"}, f"{mod} imports appkit"


@pytest.mark.parametrize("app", ["wallet_app", "field_app"])
def test_kivy_only_in_ui_modules(app: str) -> None:
    for mod, path in modules(app):
        rel = path.relative_to(ROOT / app).parts
        ui = rel[0] in {"main.py", "screens", "platform"}
        if not ui:
            bad = {i for i in imports_of(path) if i.split(".")[0] == "kivy"}
            assert not bad, f"{mod} imports Kivy outside main.py/screens/platform"


def test_imports_have_no_side_effects(tmp_path: Path) -> None:
    """Importing every library module loads no Kivy window, creates no files, probes no backend."""
    names = [m for m, _ in modules("sdk")] + [m for m, _ in modules("verifier_service")]
    names += [m for m, _ in modules("appkit") if not m.startswith("appkit.ui")]
    names += [m for m, p in modules("wallet_app") + modules("field_app")
              if p.relative_to(ROOT).parts[1] not in {"main.py", "screens", "platform", "__main__.py"}]
    code = (
        "import importlib, sys\n"
        "import sdk, sdk.transport\n"
        "assert 'cv2' not in sys.modules and 'zxingcpp' not in sys.modules, 'sdk imports OpenCV/zxing eagerly'\n"
        f"for n in {names!r}:\n"
        "    importlib.import_module(n)\n"
        "import sdk.curves\n"
        "assert sdk.curves._instance.cache_info().currsize == 0, 'a backend was created at import'\n"
        "assert 'kivy' not in sys.modules, 'Kivy imported by a library module'\n"
    )
    env_root = str(ROOT)
    res = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                         env={"PYTHONPATH": env_root, "PATH": "/usr/bin:/bin"}, timeout=120)
    assert res.returncode == 0, res.stderr[-2000:]
    assert list(tmp_path.iterdir()) == [], "importing created files in the working directory"


def test_facade_is_pinned() -> None:
    assert sorted(sdk.__all__) == sorted([
        "REASONS", "AlreadyEnrolled", "Assessment", "BackendError", "Credential", "CredentialError",
        "EncodingError", "Enrollment", "FrameError", "Freshness", "FreshnessState", "Holder", "IntegrityError",
        "InvalidPointError", "InvalidProofError", "InvalidScalarError", "InvalidSignatureError", "IssuerKey",
        "Ledger", "MemoryLedger", "OfflineError", "ParameterError", "PredicateSpec", "QRDecodeError",
        "ReceivedRequest", "Schema", "ServiceClient", "ServiceError", "SyncItem", "TransportError",
        "TrustAnchor", "TrustList", "TrustListError", "VerificationError", "VerifiedPresentation",
        "VerifierKey", "WalletSeed", "WireError", "ZkaidError", "__version__", "available_backends",
        "build_request", "get_backend", "household_schema", "issue", "load_schema", "load_trust_list",
        "make_offer", "read_request", "sign_trust_list", "verify_presentation", "verify_presentations",
    ])
    for name in sdk.__all__:
        assert hasattr(sdk, name), name


def test_every_error_is_a_zkaid_error() -> None:
    import sdk.errors as errors

    for name in errors.__all__:
        cls = getattr(errors, name)
        assert issubclass(cls, errors.ZkaidError), name
