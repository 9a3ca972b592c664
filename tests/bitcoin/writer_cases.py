"""The project's own PSBTs at every step, for the recording of what the PSBT writer wrote.

`tests/vectors/psbt-writer-recorded.json` holds what the hand-written writer (removed
for embit's own serialisation, issue 16) wrote for each of these and for BIP-174's
vectors; `test_psbt_writer_recorded.py` demands the same bytes from today's writer.
Everything here is deterministic: synthetic funding, RFC 6979 signatures.
Record (only ever with the writer whose output is the reference):
    PYTHONPATH=. .venv/bin/python tests/bitcoin/writer_cases.py
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from builders import (
    SeededWallet,
    Spend,
    build_psbt,
    external_script,
    holder_signer,
    make_wallet,
)
from embit import bip32
from embit.psbt import PSBT

from signer.chains.bitcoin.finalize import combine, extract_transaction, finalize_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.settings import Settings
from signer.chains.bitcoin.signing import sign_psbt
from signer.chains.bitcoin.wire import transaction_bytes

RECORDING = Path(__file__).resolve().parents[1] / "vectors" / "psbt-writer-recorded.json"
BIP174 = Path(__file__).resolve().parents[1] / "vectors" / "bip174-psbt.json"


def _one_input(w: SeededWallet) -> PSBT:
    """The bench's and the pipeline tests' draft: one input, a payee and change."""
    return build_psbt(w.wallet, [Spend((0, 3), 10_000_000)],
                      [(b"\x00\x14" + bytes(20), 1_000_000)], ((1, 3), 8_990_000), salt=7)


def _two_inputs_extras(w: SeededWallet) -> PSBT:
    """Two inputs, a global xpub and proprietary fields in the global and an output map."""
    psbt = read_psbt(psbt_bytes(build_psbt(
        w.wallet, [Spend((0, 1), 400_000), Spend((1, 2), 600_000)],
        [(external_script("payee"), 700_000)], ((1, 3), 299_000))))
    psbt.xpubs[bip32.HDKey.from_base58(w.wallet.cosigners[0].xpub)] = next(
        iter(psbt.inputs[0].bip32_derivations.values()))
    psbt.unknown[b"\xfc\x07airsign\x00"] = b"proprietary"
    psbt.outputs[0].unknown[b"\xfc\x01x"] = b"y"
    return psbt


def _witness_only(w: SeededWallet) -> PSBT:
    return build_psbt(w.wallet, [Spend((0, 4), 50_000)], [(external_script("w"), 49_800)],
                      witness_only=True)


def _zeros(w: SeededWallet) -> PSBT:
    """Sequence 0 and transaction version 0 stay 0 (embit's own PSBT class would write
    0xffffffff and 2); never signed (a relative lock, a non-standard version)."""
    psbt = build_psbt(w.wallet, [Spend((0, 7), 90_000)], [(external_script("v"), 89_000)],
                      sequence=0, locktime=499_999_999)
    psbt.tx_version = 0
    return psbt


def _many_outputs(w: SeededWallet) -> PSBT:
    """254 outputs and change: the output count takes a three-byte compact size."""
    payments = [(external_script(f"p{n}"), 10_000 + n) for n in range(254)]
    return build_psbt(w.wallet, [Spend((0, 6), 4_000_000)], payments, ((1, 6), 1_407_869))


# Each case and the two holders who sign it (none: it stays unsigned).
CASES: dict[str, tuple[Callable[[SeededWallet], PSBT], tuple[str, str] | None]] = {
    "one input, payee and change": (_one_input, ("A", "C")),
    "two inputs, global xpub, proprietary fields": (_two_inputs_extras, ("A", "B")),
    "witness_utxo only": (_witness_only, ("B", "C")),
    "sequence 0, transaction version 0, highest block locktime": (_zeros, None),
    "255 outputs": (_many_outputs, ("C", "A")),
}


def _branches(psbt: PSBT, w: SeededWallet) -> list[tuple[int, int]]:
    """The (change, index) of every input, from its derivation paths."""
    return [tuple(next(iter(inp.bip32_derivations.values())).derivation[-2:])
            for inp in psbt.inputs]


def steps(name: str, w: SeededWallet) -> Iterator[tuple[str, PSBT]]:
    """The PSBT as the appliance holds it at each step: imported, signed by each holder,
    the two single signatures combined, finalized."""
    build, holders = CASES[name]
    draft = read_psbt(psbt_bytes(build(w)))
    yield "unsigned", draft
    if holders is None:
        return
    first, second = holders
    branches = _branches(draft, w)
    # A policy that signs witness_utxo-only inputs (the default refuses them).
    settings = Settings(allow_witness_only=True)

    def sign(psbt: PSBT, holder: str) -> PSBT:
        return sign_psbt(psbt, w.wallet, holder, holder_signer(w, holder, branches)[0], settings)

    one = sign(draft, first)
    yield f"signed by {first}", one
    alone = sign(draft, second)
    yield f"signed by {second} alone", alone
    both = sign(one, second)
    yield f"signed by {first} and {second}", both
    yield "combined", combine([one, alone])
    yield "finalized", finalize_psbt(both)


def written(psbt: PSBT) -> str:
    """The .psbt file (the .psbt.txt file is its base64, checked by the test)."""
    return psbt_bytes(psbt).hex()


def record() -> dict[str, Any]:
    vectors = json.loads(BIP174.read_text())
    w = make_wallet()
    ours: dict[str, Any] = {}
    for name in CASES:
        ours[name] = {step: written(psbt) for step, psbt in steps(name, w)}
        # The bytes a draft id hashes.
        ours[name]["unsigned transaction"] = transaction_bytes(dict(steps(name, w))[
            "unsigned"].tx).hex()
        if "finalized" in ours[name]:
            final = extract_transaction(dict(steps(name, w))["finalized"])
            ours[name]["network transaction"] = {"hex": final.hex, "txid": final.txid}
    return {
        "source": "recorded with the hand-written writer of signer/chains/bitcoin/psbt_file.py "
                  "and wire.py (commit 9af42b0), before embit's serialisation replaced it",
        "bip174": [
            {"case": v["case"], "psbt": written(read_psbt(bytes.fromhex(v["hex"])))}
            for v in vectors["valid"] + vectors["fails_signer_checks"]
        ],
        "ours": ours,
    }


if __name__ == "__main__":
    data = record()
    RECORDING.write_text(json.dumps(data, indent=1) + "\n")
    print(f"recorded {len(data['bip174'])} vectors and {len(data['ours'])} drafts in {RECORDING}")
