"""Child process for the two-station test: one holder signs a PSBT file with their token.

Usage: python holder_signs.py HOLDER TOKEN_LABEL IN.psbt OUT.psbt
The PIN comes from $AIRSIGN_TEST_PIN, the token directory from $SOFTHSM2_CONF and the
module from $AIRSIGN_PKCS11_MODULE. Prints {"holder", "signatures"} as JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS.parent), str(TESTS / "bitcoin")]

from builders import make_wallet  # noqa: E402
from hsm_wallet import CountingSigner  # noqa: E402

from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt  # noqa: E402
from signer.chains.bitcoin.signing import sign_psbt  # noqa: E402
from signer.hsm.gateway import Gateway  # noqa: E402


def main(holder: str, label: str, source: Path, target: Path) -> int:
    wallet = make_wallet().wallet  # public data only: the registered wallet
    draft = read_psbt(source.read_bytes(), str(source))
    gateway = Gateway(os.environ["AIRSIGN_PKCS11_MODULE"])
    with gateway.holder(label, os.environ["AIRSIGN_TEST_PIN"]) as token:
        counter = CountingSigner(token)
        signed = sign_psbt(draft, wallet, holder, counter)
    with target.open("xb") as out:  # never overwrite
        out.write(psbt_bytes(signed))
    print(json.dumps({"holder": holder, "signatures": len(counter.calls)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])))
