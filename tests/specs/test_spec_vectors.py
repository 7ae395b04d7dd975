"""specs/vectors/ is reproducible: regenerate in memory on every backend and compare."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from sdk.wire import Message, decode, is_sign1, message_types, parse_sign1

ROOT = Path(__file__).resolve().parents[2]


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_vectors", ROOT / "scripts" / "make_vectors.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_vectors_reproduce_byte_for_byte(backend: str) -> None:
    vectors = _script().build_vectors(backend)
    for name, doc in vectors.items():
        on_disk = json.loads((ROOT / "specs" / "vectors" / f"{name}.json").read_text("utf-8"))
        assert on_disk == doc, f"specs/vectors/{name}.json differs from the generator"


def test_every_message_type_has_a_vector() -> None:
    seen: set[type[Message]] = set()
    for path in (ROOT / "specs" / "vectors").glob("*.json"):
        data = bytes.fromhex(json.loads(path.read_text("utf-8"))["hex"])
        if is_sign1(data):  # COSE_Sign1: the payload is a message too
            data = parse_sign1(data).payload
        seen.add(type(decode(data, tuple(message_types().values()))))
    assert seen == set(message_types().values())
