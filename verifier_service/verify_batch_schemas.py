"""JSON shapes of ``POST /v1/verify/batch``: many presentations checked with one
multi-pairing (specs/service-api.md, specs/prover.md "Batches")."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from verifier_service.schemas import Strict, VerifyOut

__all__ = ["VerifyBatchIn", "VerifyBatchItem", "VerifyBatchOut", "VerifyBatchResult"]

MAX_BATCH = 256


class VerifyBatchItem(Strict):
    request: str = Field(max_length=16384, description="base64 of the presentation request bytes")
    presentation: str = Field(max_length=65536, description="base64 of the Presentation bytes")


class VerifyBatchIn(Strict):
    items: list[VerifyBatchItem] = Field(min_length=1, max_length=MAX_BATCH)
    enroll: bool = False


class VerifyBatchResult(BaseModel):
    """One item's answer, in the order sent: ``ok`` with the result as ``POST /v1/verify``
    gives it, or the reason (and words) that call would have refused it with."""

    ok: bool
    result: VerifyOut | None = None
    reason: str | None = None
    detail: str | None = None
    extra: dict[str, Any] | None = Field(default=None, description="e.g. first_agency for already_enrolled")


class VerifyBatchOut(BaseModel):
    results: list[VerifyBatchResult]
    verified: int = Field(description="how many items verified")
