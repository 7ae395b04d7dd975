"""API schemas of the registry log routes (kept apart from the sdk types)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from verifier_service.schemas import Strict

__all__ = ["ConsistencyOut", "CosignatureIn", "CosignatureOut", "EntryOut", "InclusionOut", "TreeHeadOut"]

B64 = r"^[A-Za-z0-9+/]*={0,2}$"


class CosignatureOut(BaseModel):
    agency: str
    witness_public_key: str = Field(description="hex Ed25519 public key of the witness")
    cosignature: str = Field(description="base64 COSE_Sign1 by the witness over the tree head")


class TreeHeadOut(BaseModel):
    size: int
    root: str = Field(description="hex MTH of the first `size` entries (RFC 9162 §2.1.1)")
    timestamp: int
    signed: str = Field(description="base64 COSE_Sign1 (Ed25519) tree head, see sdk.log")
    public_key: str = Field(description="hex Ed25519 public key of the log; pin it")
    cosignatures: list[CosignatureOut] = Field(description="witnesses that checked a head of this size")


class InclusionOut(BaseModel):
    index: int
    size: int
    leaf_hash: str
    path: list[str] = Field(description="hex hashes, RFC 9162 §2.1.3.1 order")


class ConsistencyOut(BaseModel):
    first: int
    second: int
    path: list[str] = Field(description="hex hashes, RFC 9162 §2.1.4.1 order")


class EntryOut(BaseModel):
    index: int
    entry: str = Field(description="base64 entry bytes (digests only, sdk.log.LogEntry)")
    leaf_hash: str


class CosignatureIn(Strict):
    tree_head: str = Field(max_length=4096, pattern=B64, description="base64 signed tree head as served")
    cosignature: str = Field(max_length=4096, pattern=B64)
    witness_public_key: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
