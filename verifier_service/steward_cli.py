"""``zkaid steward``: deal a steward key, take a share into this service, show the public parts.

    zkaid steward deal --threshold 2 --url URL1 --url URL2 --url URL3 --out DIR
    zkaid steward init --share DIR/share-1.json [--data-dir ... --database-url ...]
    zkaid steward show

``deal`` runs once, on an offline machine: it writes one secret share file per steward
(mode 0600) and the public ``stewards.json`` that registrars load. ``init`` seals a share
with this service's KEK in its database; delete the share file afterwards.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from verifier_service.cli import DataDir, DbUrl, Dev, _bootstrap, _fail_cleanly, _settings

__all__ = ["steward_app"]

steward_app = typer.Typer(help="Data stewards: the threshold OPRF key behind match records (issue 14).",
                          no_args_is_help=True)


def _write_secret(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text + "\n")


@steward_app.command("deal")
def deal_cmd(
    out: Annotated[Path, typer.Option("--out", help="Empty folder for the share files and stewards.json.")],
    url: Annotated[list[str], typer.Option("--url", help="Each steward's service URL, in share order (n of them).")],
    threshold: Annotated[int, typer.Option("--threshold", "-t", help="Stewards needed to encode (t).")] = 2,
    name: Annotated[list[str] | None, typer.Option("--name", help="Each steward's display name.")] = None,
) -> None:
    """Deal a new steward key t-of-n. Run it offline; the key itself is never written."""
    from sdk.stewards import deal

    with _fail_cleanly():
        if out.exists() and any(out.iterdir()):
            raise ValueError(f"{out} is not empty: deal into a new folder")
        if name and len(name) != len(url):
            raise ValueError("give one --name per --url, or none")
        config, files = deal(threshold, url, names=name)
        out.mkdir(parents=True, exist_ok=True)
        for f in files:
            _write_secret(out / f"share-{f.index}.json", f.to_json())
        (out / "stewards.json").write_text(config.to_json() + "\n", encoding="utf-8")
    typer.echo(f"steward key {config.key_id}: {threshold} of {len(url)}")
    typer.echo(f"public configuration for registrars: {out / 'stewards.json'}")
    for f in files:
        typer.echo(f"secret share for steward {f.index} ({url[f.index - 1]}): {out / f'share-{f.index}.json'}")
    typer.echo("carry each share to its steward, run `zkaid steward init --share FILE` there, then destroy the file")


@steward_app.command("init")
def init_cmd(
    share: Annotated[Path, typer.Option("--share", help="This steward's share file from `zkaid steward deal`.")],
    data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False,
) -> None:
    """Make this service a data steward: seal the share with the KEK in its database."""
    from sdk.stewards import ShareFile
    from verifier_service.services.linkage import import_share

    with _fail_cleanly():
        try:
            text = share.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"cannot read {share}: {exc}") from exc
        f = ShareFile.from_json(text)
    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        info = import_share(b.rt.store, b.rt.keyring, f.share, public_key=f.public_key, threshold=f.threshold,
                            stewards=f.stewards, now=b.rt.now())
    typer.echo(f"this service is steward {info.index} of {info.stewards} (threshold {info.threshold}) "
               f"for key {info.key_id}")
    typer.echo(f"public share: {info.public_share.hex()}")
    typer.echo(f"the share is sealed in the database: delete {share} now")


@steward_app.command("show")
def show_cmd(data_dir: DataDir = None, database_url: DbUrl = None, dev: Dev = False) -> None:
    """This service's public steward parts, as JSON."""
    from verifier_service.services.linkage import info_json, steward_info

    with _bootstrap(_settings(data_dir, database_url, dev)) as b:
        typer.echo(info_json(steward_info(b.rt.store)))
