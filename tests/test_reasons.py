"""Every raised reason is a member of a reason enum (sdk.reasons, field_app.reasons, wallet_app.reasons).

An AST scan of sdk/, both apps and the service: each ``reason=`` keyword, each positional
reason (``reject(reason)``, ``ProblemError(status, reason, ...)``, ``problem(status, reason, ...)``)
and each ``default_reason`` must name an enum member (``CredentialReason.UNKNOWN_ISSUER``),
never a string literal, so no raise site can invent a code that the apps have no words for.
Passing a reason through (``reason=exc.reason``) is fine: it was checked where it was made.
"""

from __future__ import annotations

import ast
import importlib
from enum import StrEnum
from pathlib import Path

import sdk.reasons

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ["sdk", "field_app", "wallet_app", "verifier_service"]
ENUM_MODULES = ["sdk.reasons", "field_app.reasons", "wallet_app.reasons"]
# calls whose reason is positional: callee name -> argument index
POSITIONAL = {"reject": 0, "ProblemError": 1, "problem": 1, "problem_body": 1}


def enums() -> dict[str, type[StrEnum]]:
    found: dict[str, type[StrEnum]] = {}
    for name in ENUM_MODULES:
        module = importlib.import_module(name)
        for attr, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
                found[attr] = value
    return found


def files() -> list[Path]:
    return sorted(p for top in SCANNED for p in (ROOT / top).rglob("*.py") if ".venv" not in p.parts)


def reason_expressions(tree: ast.AST) -> list[ast.expr]:
    """Every expression that gives a raised reason."""
    out: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            out += [kw.value for kw in node.keywords if kw.arg == "reason"]
            fn = node.func
            callee = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
            index = POSITIONAL.get(callee)
            if index is not None and len(node.args) > index:
                out.append(node.args[index])
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if node.value is not None and any(isinstance(t, ast.Name) and t.id == "default_reason" for t in targets):
                out.append(node.value)
    return out


def problems_in(expr: ast.expr, known: dict[str, type[StrEnum]]) -> list[str]:
    """String literals and unknown members in a reason expression (branches of ``a if c else b`` too)."""
    if isinstance(expr, ast.IfExp):
        return problems_in(expr.body, known) + problems_in(expr.orelse, known)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return [f"the literal {expr.value!r}: raise a member of the layer's enum in sdk/reasons.py "
                f"(or the app's reasons.py), adding it there first"]
    if isinstance(expr, ast.JoinedStr):
        return ["a reason built from an f-string: reasons are fixed codes"]
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id.endswith("Reason"):
        group = known.get(expr.value.id)
        if group is None:
            return [f"{expr.value.id} is not a reason enum of {ENUM_MODULES}"]
        if expr.attr not in group.__members__:
            return [f"{expr.value.id}.{expr.attr} is not a member"]
    return []


def test_every_raised_reason_is_an_enum_member() -> None:
    known = enums()
    bad: list[str] = []
    scanned = 0
    for path in files():
        for expr in reason_expressions(ast.parse(path.read_text("utf-8"))):
            scanned += 1
            bad += [f"{path.relative_to(ROOT)}:{expr.lineno}: {p}" for p in problems_in(expr, known)]
    assert scanned > 300  # the scan found the raise sites
    assert not bad, "\n".join(bad)


def test_the_scan_catches_literals_and_unknown_members() -> None:
    known = enums()
    code = ("raise CredentialError('x', reason='made_up')\n"
            "raise WireError('x', reason=WireReason.NOT_A_MEMBER)\n"
            "raise WireError('x', reason=WireReason.MALFORMED if a else 'other')\n"
            "reject('made_up')\n"
            "raise ProblemError(400, f'http_{code}', 'detail')\n"
            "class E(ZkaidError):\n    default_reason = 'made_up'\n"
            "raise WireError('x', reason=exc.reason)\n")
    found = [p for e in reason_expressions(ast.parse(code)) for p in problems_in(e, known)]
    assert len(found) == 6, found


def test_reason_values_are_codes() -> None:
    for group in enums().values():
        for member in group:
            assert member.value == member.name.lower() and member.value.isidentifier(), member


def test_every_sdk_enum_is_listed_once() -> None:
    defined = [v for v in vars(sdk.reasons).values()
               if isinstance(v, type) and issubclass(v, StrEnum) and v is not StrEnum]
    assert sorted(g.__name__ for g in sdk.reasons.ALL_REASONS) == sorted(g.__name__ for g in defined)
    assert {g.__name__ for g in defined} <= set(sdk.reasons.__all__)
