"""``python -m field_app``: the field app without a camera or a screen.

For laptops at a distribution point, and for checking photos or screenshots of answers::

    python -m field_app setup --agency agency-b --device desk-3 --scope cva/2026-12/round-1 \\
        --anchor <hex> --trust-list trust_list.cbor --disclose region --predicate "valid_until ge today"
    python -m field_app request --out request.png      # show it; the wallet answers
    python -m field_app verify answers/                 # one line per image; exit 1 if any NO
    python -m field_app sync
    python -m field_app status
    python -m field_app                                 # the Kivy app

``verify`` uses the same :class:`~field_app.service.FieldService` as the app: the data
folder's setup, trust list and ledger, or explicit ``--trust-list/--anchor/--request``
options. :func:`verify_paths` is the function the ``zkaid verify`` command mounts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from field_app.config import (
    DataFolder,
    FieldConfig,
    PredicateRule,
    RequestTemplate,
    SetupError,
    default_data_dir,
    parse_list,
)
from field_app.i18n import LANGUAGES, Translator
from field_app.ledger import SQLiteLedger
from field_app.present import (
    conflict_text,
    freshness_text,
    predicate_text,
    result_view,
    stats_text,
    sync_text,
    value_text,
)
from field_app.reasons import CheckReason, SetupReason
from field_app.service import FieldService, Result
from sdk.credential import read_request
from sdk.errors import CredentialError, QRDecodeError, TransportError, ZkaidError

__all__ = ["CheckLine", "add_verify_arguments", "main", "run_verify", "verify_paths"]

RAW_SUFFIXES = frozenset({".cbor", ".bin"})
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff"})


@dataclass(frozen=True)
class CheckLine:
    """One line of ``verify`` output: which file(s), and what the check said."""

    files: tuple[str, ...]
    result: Result

    def to_json(self, tr: Translator) -> dict[str, Any]:
        r = self.result
        return {
            "file": self.files[-1], "files": list(self.files), "ok": r.ok, "reason": r.reason,
            "message": tr(r.message_key, **r.message_args), "detail": r.detail,
            "disclosed": {k: value_text(v, tr) for k, v in r.disclosed.items()} if r.ok else {},
            "predicates": [predicate_text(r.schema, p, tr) for p in r.predicates] if r.ok else [],
            "trust_list": r.freshness.state.value if r.freshness else None,
            "ms": round(r.elapsed_ms, 2),
        }

    def text(self, tr: Translator) -> str:
        r = self.result
        name = self.files[-1] if len(self.files) == 1 else f"{self.files[-1]} (+{len(self.files) - 1} parts)"
        if r.ok:
            shown = [f"{k}={value_text(v, tr)}" for k, v in r.disclosed.items()]
            shown += [predicate_text(r.schema, p, tr) for p in r.predicates]
            info = "; ".join(shown) or "-"
        else:
            info = tr(r.message_key, **r.message_args)
        line = f"{name}\t{'YES' if r.ok else 'NO'}\t{r.reason}\t{info}"
        if r.stale:
            line += "\t" + result_view(r, tr).warning
        return line


def _expand(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += [c for c in sorted(p.iterdir()) if c.suffix.lower() in IMAGE_SUFFIXES | RAW_SUFFIXES]
        else:
            out.append(p)
    return out


def _read_request_file(path: Path) -> bytes:
    if path.suffix.lower() in IMAGE_SUFFIXES:
        from sdk.transport import decode_image

        return decode_image(path)
    return path.read_bytes()


def check_files(service: FieldService, paths: Sequence[str | os.PathLike[str]], *,
                enroll: bool = True, on_line: Callable[[CheckLine], None] | None = None) -> list[CheckLine]:
    """Check every image (or raw ``.cbor`` presentation) in ``paths``, in name order.

    The parts of a multi-part code may be spread over several images of a folder: they are
    collected across files and reported once, on the image that completed the message.
    """
    from sdk.transport import Complete, Progress, Scanner, scan_image

    lines: list[CheckLine] = []
    scanner = Scanner()
    parts: dict[bytes, list[str]] = {}
    done: set[bytes] = set()  # multi-part messages already checked (later parts are repeats)

    def emit(files: Sequence[str], result: Result) -> None:
        line = CheckLine(tuple(files), result)
        lines.append(line)
        if on_line is not None:
            on_line(line)

    for path in _expand(paths):
        name = str(path)
        if path.suffix.lower() in RAW_SUFFIXES:
            try:
                emit([name], service.check(path.read_bytes(), enroll=enroll))
            except OSError as exc:
                emit([name], service.refuse(CheckReason.UNREADABLE, str(exc)))
            continue
        try:
            scan = scan_image(path)
        except QRDecodeError as exc:
            emit([name], service.refuse(CheckReason.UNREADABLE, str(exc)))
            continue
        data = scan.data
        if data is None:
            reason = CheckReason.FOREIGN if scan.status.value == "foreign_code" else CheckReason.UNREADABLE
            emit([name], service.refuse(reason, scan.status.value))
            continue
        try:
            got = scanner.receiver.push(data)
        except TransportError as exc:
            emit([name], service.refuse(CheckReason.UNREADABLE, str(exc)))
            continue
        if isinstance(got, Complete):
            files = [name]
            if got.message_id is not None:
                files = [*parts.pop(got.message_id, []), name]
                done.add(got.message_id)
            emit(files, service.check(got.payload, enroll=enroll))
        elif isinstance(got, Progress) and got.message_id not in done:
            parts.setdefault(got.message_id, []).append(name)
    for msg_id, files in parts.items():
        pending = [p for p in scanner.receiver.pending if p.message_id == msg_id]
        got_n, need_n = (pending[0].received, pending[0].needed) if pending else (0, 0)
        emit(files, service.refuse(CheckReason.UNREADABLE, f"incomplete multi-part code: {got_n} of {need_n} parts"))
    return lines


def verify_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    trust_list: str | os.PathLike[str] | None = None,
    anchors: Sequence[str] = (),
    requests: Sequence[str | os.PathLike[str]] = (),
    scope: str | None = None,
    agency: str | None = None,
    dry_run: bool = False,
    lang: str = "en",
    as_json: bool = False,
    backend: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    clock: Callable[[], float] | None = None,
) -> int:
    """Verify presentations in image files or folders; print one line per image.

    Returns the exit code: 0 when every check said yes, 1 when any said no, 2 when the
    device is not set up well enough to check anyone (no trust list, no request).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    tr = Translator(lang)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:  # a typo in a file name is not an unreadable code: say so, in one line
        print(f"error: no such file or folder: {', '.join(missing)}", file=err)
        return 2
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    with ExitStack() as stack:
        kw: dict[str, Any] = {"backend": backend}
        if clock is not None:
            kw["clock"] = clock
        if DataFolder(folder).config_path.exists():
            service = FieldService(folder, persist_requests=True, **kw)
        elif trust_list is not None or requests:
            tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="zkaid-field-"))
            service = FieldService(tmp, ledger=SQLiteLedger(":memory:"), **kw)
        else:
            print(tr("cli.not_set_up", folder=str(folder)), file=err)
            return 2
        stack.callback(service.close)
        try:
            _apply_options(service, trust_list=trust_list, anchors=anchors, requests=requests,
                           scope=scope, agency=agency)
        except (ZkaidError, OSError) as exc:
            print(tr("cli.setup_failed", error=str(exc)), file=err)
            return 2
        ready = service.readiness()
        if ready.state in ("not_set_up", "no_trust_list"):
            print(tr(f"ready.{ready.state}"), file=err)
            return 2
        if not service.open_requests:
            print(tr("cli.no_request"), file=err)
            return 2
        if ready.freshness is not None and not ready.freshness.state.value == "fresh":
            print(freshness_text(ready.freshness, tr), file=err)

        def show(line: CheckLine) -> None:
            text = json.dumps(line.to_json(tr), ensure_ascii=False) if as_json else line.text(tr)
            print(text, file=out, flush=True)

        lines = check_files(service, paths, enroll=not dry_run, on_line=show)
    if not lines:
        print(tr("cli.no_images"), file=err)
        return 1
    return 0 if all(line.result.ok for line in lines) else 1


def _apply_options(service: FieldService, *, trust_list: str | os.PathLike[str] | None, anchors: Sequence[str],
                   requests: Sequence[str | os.PathLike[str]], scope: str | None, agency: str | None) -> None:
    request_bytes = [_read_request_file(Path(r)) for r in requests]
    cfg = service.config
    if cfg is None:
        first_scope = scope
        if first_scope is None and request_bytes:
            try:
                first_scope = read_request(request_bytes[0]).request.scope
            except CredentialError as exc:
                raise SetupError(f"{requests[0]} is not a request: {exc}", reason=SetupReason.BAD_REQUEST) from exc
        cfg = FieldConfig(agency=agency or "cli", device_id="cli", scope=first_scope or "-",
                          anchors=tuple(a.lower() for a in anchors))
        service.use_config(cfg)
    elif anchors or scope or agency:
        service.use_config(cfg.with_changes(
            anchors=tuple(a.lower() for a in anchors) or cfg.anchors, scope=scope or cfg.scope,
            agency=agency or cfg.agency))
    if trust_list is not None:
        service.import_trust_list(Path(trust_list).read_bytes(), save=False)
    for data in request_bytes:
        service.add_request(data)


def add_verify_arguments(p: argparse.ArgumentParser) -> None:
    """The ``verify`` options, for mounting in another command line (``zkaid verify``)."""
    p.add_argument("paths", nargs="+", help="image files or folders of images (.cbor: raw bytes)")
    p.add_argument("--data-dir", help="the device's data folder (default: $ZKAID_FIELD_HOME or ~/.zkaid/field)")
    p.add_argument("--trust-list", help="a signed trust list file to use instead of the cached one")
    p.add_argument("--anchor", action="append", default=[], help="trust-list signing key (64 hex), repeatable")
    p.add_argument("--request", action="append", default=[],
                   help="the request the answers reply to (bytes or QR image), repeatable")
    p.add_argument("--scope", help="the scope of this round (default: the setup's or the request's)")
    p.add_argument("--agency", help="agency id recorded in the ledger (default: the setup's)")
    p.add_argument("--dry-run", action="store_true", help="check the ledger but do not record anyone")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--lang", choices=LANGUAGES, default="en")
    p.add_argument("--backend", choices=("arkworks", "pyecc"), help="curve backend (default: native)")


def run_verify(args: argparse.Namespace) -> int:
    return verify_paths(
        args.paths, data_dir=args.data_dir, trust_list=args.trust_list, anchors=args.anchor,
        requests=args.request, scope=args.scope, agency=args.agency, dry_run=args.dry_run,
        lang=args.lang, as_json=args.json, backend=args.backend, clock=getattr(args, "clock", None),
    )


# -- the other commands ----------------------------------------------------------------


def _service(args: argparse.Namespace) -> FieldService:
    clock = getattr(args, "clock", None)
    return FieldService(Path(args.data_dir) if args.data_dir else default_data_dir(), persist_requests=True,
                        **({"clock": clock} if clock is not None else {}))


def cmd_setup(args: argparse.Namespace) -> int:
    tr = Translator(args.lang)
    service = _service(args)
    try:
        old = service.config
        template = old.template if old else RequestTemplate()
        changes: dict[str, Any] = {}
        if args.disclose is not None:
            changes["disclose"] = parse_list(args.disclose)
        if args.predicate:
            # "none" drops every condition, including the default expiry check
            changes["predicates"] = tuple(PredicateRule.parse(p) for p in args.predicate
                                          if p.strip() and p.strip().lower() != "none")
        if args.purpose_en or args.purpose_fr:
            purpose = dict(template.purpose)
            purpose.update({k: v for k, v in (("en", args.purpose_en), ("fr", args.purpose_fr)) if v})
            changes["purpose"] = purpose
        if args.schema:
            changes["schema"] = args.schema
        if args.issuer:
            changes["issuers"] = tuple(i.lower() for i in args.issuer)
        if changes:
            template = RequestTemplate(**{**_template_fields(template), **changes})
        cfg = FieldConfig(
            agency=args.agency or (old.agency if old else ""),
            device_id=args.device or (old.device_id if old else ""),
            scope=args.scope or (old.scope if old else ""),
            service_url=args.service_url if args.service_url is not None else (old.service_url if old else ""),
            anchors=tuple(a.lower() for a in args.anchor) or (old.anchors if old else ()),
            template=template,
            language=args.lang,
        )
        service.configure(cfg, api_key=args.api_key)
        if args.trust_list:
            service.import_trust_list(Path(args.trust_list).read_bytes())
        if args.new_verifier_key:
            key = service.create_verifier_key()
            print(tr("cli.verifier_key", kid=key.kid.hex(), public=key.public_key.hex()))
        print(tr("cli.setup_saved", folder=str(service.folder.root)))
        return 0
    except (ZkaidError, OSError) as exc:
        print(tr("cli.setup_failed", error=str(exc)), file=sys.stderr)
        return 2
    finally:
        service.close()


def _template_fields(t: RequestTemplate) -> dict[str, Any]:
    return {"schema": t.schema, "disclose": t.disclose, "predicates": t.predicates, "purpose": dict(t.purpose),
            "issuers": t.issuers, "request_ttl": t.request_ttl}


def cmd_request(args: argparse.Namespace) -> int:
    tr = Translator(args.lang)
    service = _service(args)
    try:
        issued = service.new_request(replace=False)
    except ZkaidError as exc:
        print(tr("cli.setup_failed", error=str(exc)), file=sys.stderr)
        return 2
    finally:
        service.close()
    from sdk.transport import encode, render_code, render_terminal

    if args.bytes:
        Path(args.bytes).write_bytes(issued.data)
    enc = encode(issued.data)
    if args.out:
        if enc.single:
            Path(args.out).write_bytes(render_code(issued.data).png())
        else:  # an unusually large request: one image per part
            stem = Path(args.out)
            for i, code in enumerate(enc.cycle()):
                stem.with_name(f"{stem.stem}_{i:03d}{stem.suffix or '.png'}").write_bytes(render_code(code).png())
    if args.terminal and enc.single:
        print(render_terminal(issued.data))
    print(tr("cli.request_made", digest=issued.digest.hex()[:16], bytes=len(issued.data),
             signed=tr("value.yes") if issued.signed else tr("value.no")))
    return 0


def cmd_sync(args: argparse.Namespace) -> int:
    tr = Translator(args.lang)
    service = _service(args)
    try:
        report = service.sync(full=bool(getattr(args, "full", False)))
        print(sync_text(report, tr))
        cfg = service.config
        for c in service.conflicts(open_only=True):
            print(conflict_text(c, cfg.agency if cfg else "", tr))
        return 0 if report.ok else 1
    finally:
        service.close()


def cmd_status(args: argparse.Namespace) -> int:
    tr = Translator(args.lang)
    service = _service(args)
    try:
        cfg = service.config
        if cfg is None:
            print(tr("ready.not_set_up"))
            return 2
        print(tr("cli.status", agency=cfg.agency, device=cfg.device_id, scope=cfg.scope,
                 service=cfg.service_url or "-"))
        print(freshness_text(service.freshness(), tr))
        key = service.verifier_key()
        print(tr(f"signing.{service.signing_status()}", kid=key.kid.hex() if key else "",
                 public=key.public_key.hex() if key else ""))
        print(stats_text(service.stats(), tr))
        for c in service.conflicts(open_only=True):
            print(conflict_text(c, cfg.agency, tr))
        return 0
    finally:
        service.close()


def cmd_run(args: argparse.Namespace) -> int:
    data_dir, images = args.data_dir, args.images
    if getattr(args, "demo", None) is not None:
        from field_app.demo import DemoFolderError, demo_paths

        try:
            field, answers = demo_paths(Path(args.demo) if args.demo else None)
        except DemoFolderError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        data_dir, images = data_dir or str(field), images or str(answers)
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # the options above are ours, not Kivy's
    from field_app.main import run_app  # Kivy loads only here

    return run_app(data_dir=data_dir, camera=args.camera, images=images)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m field_app", description="zkaid field app (offline verifier)")
    sub = ap.add_subparsers(dest="command")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", help="data folder (default: $ZKAID_FIELD_HOME or ~/.zkaid/field)")
        p.add_argument("--lang", choices=LANGUAGES, default="en")

    v = sub.add_parser("verify", help="verify presentations from image files or folders")
    add_verify_arguments(v)
    v.set_defaults(func=run_verify)

    s = sub.add_parser("setup", help="set the device up (saved in the data folder)")
    common(s)
    s.add_argument("--agency")
    s.add_argument("--device")
    s.add_argument("--scope")
    s.add_argument("--service-url")
    s.add_argument("--api-key")
    s.add_argument("--anchor", action="append", default=[])
    s.add_argument("--trust-list", help="a signed trust list file to install")
    s.add_argument("--schema", help="credential kind, id@version")
    s.add_argument("--issuer", action="append", default=[], help="accepted issuer key id (hex); default: all")
    s.add_argument("--disclose", help="attributes to see, comma-separated")
    s.add_argument("--predicate", action="append", default=[], help='a condition, e.g. "valid_until ge today" (the default); "none" for no condition')
    s.add_argument("--purpose-en")
    s.add_argument("--purpose-fr")
    s.add_argument("--new-verifier-key", action="store_true", help="make a request-signing key")
    s.set_defaults(func=cmd_setup)

    r = sub.add_parser("request", help="make a request for the next person")
    common(r)
    r.add_argument("--out", help="write the QR code as a PNG image")
    r.add_argument("--bytes", help="write the request bytes")
    r.add_argument("--terminal", action="store_true", help="draw the QR code in the terminal")
    r.set_defaults(func=cmd_request)

    y = sub.add_parser("sync", help="sync with the agency service")
    common(y)
    y.add_argument("--full", action="store_true",
                   help="re-send every enrollment and download from the start (after a registry restore)")
    y.set_defaults(func=cmd_sync)

    st = sub.add_parser("status", help="setup, trust list, ledger and conflicts")
    common(st)
    st.set_defaults(func=cmd_status)

    g = sub.add_parser("run", help="start the app (the default)")
    g.add_argument("--data-dir")
    g.add_argument("--camera", type=int, default=0, help="camera index")
    g.add_argument("--images", help="scan from this image file or folder instead of a camera")
    g.add_argument("--demo", nargs="?", const="", metavar="FOLDER",
                   help="open the device of `zkaid demo` (./zkaid-demo, made if missing) on its sample answers")
    g.set_defaults(func=cmd_run)
    return ap


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], float] | None = None) -> int:
    """The command line; ``clock`` is the test seam (the device's idea of now)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["run", *argv]  # `python -m field_app --demo`: options of the default command
    args = build_parser().parse_args(argv)
    if args.command is None:
        args = build_parser().parse_args(["run", *(argv or [])])
    args.clock = clock
    code: int = args.func(args)
    return code
