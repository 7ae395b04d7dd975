"""Import rules: sdk.transport moves bytes and must not know credentials; the framing must
work on a phone that has no OpenCV, zxing-cpp, qrcode, numpy or Pillow."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import sdk.transport

ROOT = Path(__file__).resolve().parents[3]
TRANSPORT = ROOT / "sdk" / "transport"
HEAVY = ("cv2", "zxingcpp", "qrcode", "numpy", "PIL")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_transport_imports_only_errors_and_reasons_from_the_sdk() -> None:
    for path in sorted(TRANSPORT.glob("*.py")):
        sdk_imports = {m for m in imported_modules(path) if m == "sdk" or m.startswith("sdk.")}
        allowed = {m for m in sdk_imports if m in ("sdk.errors", "sdk.reasons") or m.startswith("sdk.transport")}
        assert sdk_imports == allowed, f"{path.name} imports {sdk_imports - allowed}"


def test_heavy_libraries_only_in_their_modules() -> None:
    for name in ("__init__.py", "framing.py"):
        heavy = {m for m in imported_modules(TRANSPORT / name) if m.split(".")[0] in HEAVY}
        assert heavy == set(), f"{name} imports {heavy}"


BLOCKER = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {heavy!r}:
            raise ImportError("blocked for the test: " + name)
        return None
sys.meta_path.insert(0, Block())
import sdk.transport as t
payload = b"\\xd9\\xd9\\xf7" + bytes(range(256)) * 20
enc = t.encode(payload)
receiver = t.Receiver()
results = [receiver.push(code) for code in reversed(enc.cycle())]
assert any(isinstance(r, t.Complete) and r.payload == payload for r in results)
assert not any(m.split(".")[0] in {heavy!r} for m in sys.modules)
try:
    t.render_code
except ImportError:
    print("render needs qrcode: ok")
"""


def test_framing_works_without_heavy_libraries() -> None:
    code = BLOCKER.format(heavy=set(HEAVY))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    assert "render needs qrcode: ok" in out.stdout


def test_public_names_resolve() -> None:
    for name in sdk.transport.__all__:
        assert getattr(sdk.transport, name) is not None
    assert set(sdk.transport.__all__) <= set(dir(sdk.transport))
