"""``python -m field_app --demo``: the field app on the folder ``zkaid demo`` makes.

It opens Agency B's field device of ``./zkaid-demo`` (or ``--data-dir``'s demo folder) and
"scans" the sample answers in its ``answers/`` folder instead of a camera. When there is no
demo folder yet, it runs ``zkaid demo`` first, as a separate process: the field app never
imports the service or the wallet (they are other components; the command line joins them).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

__all__ = ["DEFAULT_DEMO_DIR", "DemoFolderError", "demo_paths"]

DEFAULT_DEMO_DIR = Path("zkaid-demo")
MARKER = "zkaid-demo.json"  # written last by `zkaid demo`


class DemoFolderError(Exception):
    """The demo folder could not be found or made (one line for a person)."""


def demo_paths(root: Path | None = None, *, make: bool = True) -> tuple[Path, Path]:
    """(field device data folder, answers folder) of the demo at ``root``; made when missing."""
    root = root or DEFAULT_DEMO_DIR
    if not (root / MARKER).exists():
        if not make:
            raise DemoFolderError(f"{root} is not a demo folder: run 'zkaid demo --dir {root}' first")
        print(f"no demo in {root} yet: running 'zkaid demo --dir {root}'", flush=True)
        done = subprocess.run([sys.executable, "-m", "zkaid", "demo", "--dir", str(root)], check=False)
        if done.returncode != 0 or not (root / MARKER).exists():
            raise DemoFolderError(f"'zkaid demo --dir {root}' did not finish (exit {done.returncode})")
    return root / "field", root / "answers"
