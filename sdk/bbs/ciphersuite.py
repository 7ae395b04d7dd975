"""BBS ciphersuites (draft-irtf-cfrg-bbs-signatures §7 "Ciphersuites").

A ciphersuite is plain frozen data: the ciphersuite id, which expand_message it uses,
and the pinned base point P1 (§7.2, computed by ``create_generators`` with the special
seeds of §7.2.1 / §7.2.2; a conformance test recomputes it).
"""

from __future__ import annotations

from dataclasses import dataclass

from sdk.curves.hashing import ExpandKind
from sdk.errors import ParameterError
from sdk.reasons import BbsReason

__all__ = [
    "BLS12_381_SHAKE_256",
    "BLS12_381_SHA_256",
    "SUITES",
    "Ciphersuite",
    "resolve_suite",
]


@dataclass(frozen=True)
class Ciphersuite:
    """One BBS ciphersuite (§7.1 "Ciphersuite Format")."""

    name: str
    ciphersuite_id: bytes
    expand: ExpandKind
    p1: bytes  # compressed G1 base point P1 (§7.2)
    octet_scalar_length: int = 32
    octet_point_length: int = 48
    expand_len: int = 48

    @property
    def api_id(self) -> bytes:
        """§3.5 "BBS Signatures Interface": api_id = ciphersuite_id || "H2G_HM2S_"."""
        return self.ciphersuite_id + b"H2G_HM2S_"

    @property
    def blind_api_id(self) -> bytes:
        """draft-irtf-cfrg-bbs-blind-signatures §4: ciphersuite_id || "BLIND_H2G_HM2S_"."""
        return self.ciphersuite_id + b"BLIND_H2G_HM2S_"

    @property
    def nym_api_id(self) -> bytes:
        """draft-irtf-cfrg-bbs-per-verifier-linkability §6: ciphersuite_id || "H2G_HM2S_PSEUDONYM_"."""
        return self.ciphersuite_id + b"H2G_HM2S_PSEUDONYM_"


# §7.2.1 BLS12-381-SHAKE-256
BLS12_381_SHAKE_256 = Ciphersuite(
    name="BLS12-381-SHAKE-256",
    ciphersuite_id=b"BBS_BLS12381G1_XOF:SHAKE-256_SSWU_RO_",
    expand="xof-shake256",
    p1=bytes.fromhex(
        "8929dfbc7e6642c4ed9cba0856e493f8b9d7d5fcb0c31ef8fdcd34d50648a56c"
        "795e106e9eada6e0bda386b414150755"
    ),
)

# §7.2.2 BLS12-381-SHA-256 (the default suite of zkaid)
BLS12_381_SHA_256 = Ciphersuite(
    name="BLS12-381-SHA-256",
    ciphersuite_id=b"BBS_BLS12381G1_XMD:SHA-256_SSWU_RO_",
    expand="xmd-sha256",
    p1=bytes.fromhex(
        "a8ce256102840821a3e94ea9025e4662b205762f9776b3a766c872b948f1fd22"
        "5e7c59698588e70d11406d161b4e28c9"
    ),
)

SUITES: dict[str, Ciphersuite] = {
    BLS12_381_SHA_256.name: BLS12_381_SHA_256,
    BLS12_381_SHAKE_256.name: BLS12_381_SHAKE_256,
}


def resolve_suite(suite: str | Ciphersuite) -> Ciphersuite:
    """Accept a suite name (``"BLS12-381-SHA-256"``, ``"BLS12-381-SHAKE-256"``) or object."""
    if isinstance(suite, Ciphersuite):
        return suite
    try:
        return SUITES[suite]
    except (KeyError, TypeError):
        raise ParameterError(
            f"unknown BBS ciphersuite {suite!r}; use one of {', '.join(SUITES)}",
            reason=BbsReason.UNKNOWN_SUITE,
        ) from None
