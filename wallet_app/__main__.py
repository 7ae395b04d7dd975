"""``python -m wallet_app``: run the wallet.

    python -m wallet_app --config wallet.json        # a real deployment (trust anchor, service)
    python -m wallet_app --demo                      # an in-process demo agency, fresh data

Arguments are parsed before Kivy loads (``KIVY_NO_ARGS``), so Kivy never sees them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m wallet_app", description="zkaid beneficiary wallet")
    p.add_argument("--config", help="wallet configuration JSON (default: $ZKAID_WALLET_CONFIG)")
    p.add_argument("--data-dir", help="where the encrypted wallet lives (overrides the config)")
    p.add_argument("--demo", action="store_true",
                   help="use an in-process demo agency; writes an offer and a request picture to scan")
    p.add_argument("--scan-file", action="append", default=[],
                   help="picture(s) to use for the first scan instead of the camera")
    p.add_argument("--no-camera", action="store_true", help="never open a camera (open pictures instead)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("KIVY_NO_ARGS", "1")

    from wallet_app.config import WalletConfig
    from wallet_app.platform.camera import Platform
    from wallet_app.service import WalletService

    if args.demo:
        from sdk.transport import render_code
        from wallet_app.demo import DemoAgency

        agency = DemoAgency(now=int(time.time()))
        data_dir = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp(prefix="zkaid-wallet-demo-"))
        config = WalletConfig(data_dir=data_dir, trust_anchors=(agency.anchor,), service_url="http://demo.invalid")
        service = WalletService(config, client_factory=agency.client)
        offer, code = agency.make_offer()
        pictures = data_dir / "demo-codes"
        pictures.mkdir(parents=True, exist_ok=True)
        (pictures / "1-offer.png").write_bytes(render_code(offer).png())
        (pictures / "2-request.png").write_bytes(render_code(agency.request()).png())
        print(f"demo wallet in {data_dir}\n  offer picture:   {pictures / '1-offer.png'} (or type {code})\n"
              f"  request picture: {pictures / '2-request.png'}")
    else:
        cfg = args.config or os.environ.get("ZKAID_WALLET_CONFIG")
        if not cfg:
            sys.exit("wallet_app: give --config FILE (or ZKAID_WALLET_CONFIG), or try --demo")
        from wallet_app.config import ConfigError

        try:
            config = WalletConfig.from_file(cfg, data_dir=args.data_dir)
        except ConfigError as exc:  # a missing or broken file: one line, not a traceback
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)
        from wallet_app.platform.keystore import platform_vault

        service = WalletService(config, vault=platform_vault(config))  # keystore-bound on Android

    from wallet_app.main import run

    run(service, Platform(args.scan_file, use_camera=not args.no_camera))


if __name__ == "__main__":
    main()
