"""`zkaid` command line (typer). Errors are one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import sys

import typer

from sdk.errors import ZkaidError

app = typer.Typer(
    name="zkaid",
    help="Privacy-preserving credentials for humanitarian cash assistance.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def demo() -> None:
    """Tour the cryptographic core (keygen, sign, selective disclosure, pseudonyms) on every backend."""
    from zkaid.demo import run_demo

    run_demo(sys.stdout)


@app.command()
def pilot() -> None:
    """Run the end-to-end simulated assistance round (until it lands: the core demo)."""
    from zkaid.demo import run_demo

    run_demo(sys.stdout)


def main() -> None:
    try:
        app()
    except ZkaidError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
