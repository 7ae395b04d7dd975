"""Person matching without pooling personal data (specs/linkage.md).

Pure functions over bytes, no database and no HTTP: :mod:`.normalise` turns a person's
identifying fields into a canonical form, :mod:`.oprf` is the threshold OPRF that keys every
encoding (no single agency, steward or registry operator can compute it alone), and
:mod:`.encode` builds match records (exact keys plus key-salted Bloom-filter segments) and
links them. This package sits beside ``sdk.credential`` above ``sdk.curves`` and imports
neither credentials, wire formats nor the trust list.
"""

from sdk.linkage.encode import (
    DEFAULT_THRESHOLD,
    Evaluator,
    MatchRecord,
    cluster,
    compare,
    encode,
    link,
)
from sdk.linkage.normalise import NormalisedPerson, PersonRecord, normalise
from sdk.linkage.oprf import (
    BlindState,
    StewardAnswer,
    StewardProofError,
    StewardShare,
    TooFewAnswersError,
    blind,
    deal_shares,
    finalize,
    local_evaluator,
    steward_evaluate,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "BlindState",
    "Evaluator",
    "MatchRecord",
    "NormalisedPerson",
    "PersonRecord",
    "StewardAnswer",
    "StewardProofError",
    "StewardShare",
    "TooFewAnswersError",
    "blind",
    "cluster",
    "compare",
    "deal_shares",
    "encode",
    "finalize",
    "link",
    "local_evaluator",
    "normalise",
    "steward_evaluate",
]
