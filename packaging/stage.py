"""Stage one app for buildozer: copy its packages and entry point into ``packaging/<app>/app``.

    python packaging/stage.py wallet --config wallet.json   # the agency's trust anchor and service
    python packaging/stage.py field
    cd packaging/wallet && buildozer android debug

buildozer packs one folder with a ``main.py`` at its top; the apps live in packages at the
repository root (``sdk``, ``appkit``, ``wallet_app`` / ``field_app``), so they are copied,
without tests, caches or the other components (the service and the CLI never go on a phone).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = {"wallet": ("sdk", "appkit", "wallet_app"), "field": ("sdk", "appkit", "field_app")}
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache", ".ruff_cache")


def stage(app: str, config: Path | None) -> Path:
    here = ROOT / "packaging" / app
    out = here / "app"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir()
    for pkg in PACKAGES[app]:
        shutil.copytree(ROOT / pkg, out / pkg, ignore=IGNORE)
    shutil.copy2(here / "main.py", out / "main.py")
    if config is not None:
        shutil.copy2(config, out / f"{app}.json")
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("app", choices=sorted(PACKAGES))
    p.add_argument("--config", type=Path, help="wallet: the wallet.json to ship (trust anchors, service URL)")
    args = p.parse_args(argv)
    if args.app == "wallet" and args.config is None:
        print("error: the wallet needs --config wallet.json (the agency's trust anchor and service)", file=sys.stderr)
        return 2
    if args.config is not None and not args.config.is_file():
        print(f"error: {args.config} does not exist", file=sys.stderr)
        return 2
    print(f"staged {stage(args.app, args.config)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
