"""A proof of reserves for 1,000 addresses (500 receive, 500 change) and the Safe, two
holders, in-process: import the request, sign with A and B (one pass), export
ID.proof.json; against the raw CKM_ECDSA rate measured in the same run.

A proof is 2,002 token signatures (one per address per holder, and one Safe signature per
holder); the ratio is the time those signatures take at the raw rate over the time the
whole proof takes (1.0 would be the token alone, with nothing else done).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._tokens import BENCH_PIN
from bench.bench_pipeline import CEREMONY, POLICY, raw_rate, setup
from signer.usecases.exporting import export_drafts
from signer.usecases.intake import import_paths
from signer.usecases.sign_drafts import sign_drafts
from signer.usecases.wallet import load_wallet

PER_BRANCH = 500  # receive and change addresses: 1,000 in all
PROOFS = """
[proofs]
prefixes = ["Bench Exchange proof of reserves "]
"""


def request(work: Path) -> Path:
    from signer.usecases.appliance import Appliance

    app = Appliance.open(work / "home")
    try:
        wallet = load_wallet(app)
    finally:
        app.close()
    addresses = [wallet.bitcoin.address(change, i) for change in (0, 1)
                 for i in range(PER_BRANCH)]
    path = work / "inbox" / "proof-request.json"
    path.parent.mkdir()
    path.write_text(json.dumps({
        "type": "proof-of-reserves",
        "message": "Bench Exchange proof of reserves 2026-12-01: 1,000 addresses and the Safe",
        "bitcoin": {"addresses": addresses},
        "ethereum": {"safe": wallet.safe, "chainId": wallet.chain_id}}))
    return path


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="airsign-bench-proof-"))
    ceremony = work / "ceremony.toml"
    ceremony.write_text(CEREMONY.read_text()
                        .replace("receive_keys = 5", f"receive_keys = {PER_BRANCH}")
                        .replace("change_keys = 5", f"change_keys = {PER_BRANCH}"))
    app = setup(work, ceremony, POLICY + PROOFS)
    app.close()
    inbox = request(work)
    from signer.usecases.appliance import Appliance

    app = Appliance.open(work / "home")
    raw = raw_rate(app.home.config.module, "raw")
    start = time.perf_counter()
    report = import_paths(app, [inbox])
    [draft] = report.drafts
    assert draft["verdict"] == "approve", draft
    imported = time.perf_counter()
    signed = sign_drafts(app, [draft["id"]], ["A", "B"], lambda _h: BENCH_PIN)
    assert not signed.refused and signed.signed[-1]["complete"], signed
    signed_at = time.perf_counter()
    (work / "out").mkdir()
    exported = export_drafts(app, [draft["id"]], work / "out", qr=False)
    assert not exported.refused, exported.refused
    end = time.perf_counter()
    raw_again = raw_rate(app.home.config.module, "raw")
    app.close()
    rate = (raw + raw_again) / 2
    signatures = 2 * (2 * PER_BRANCH + 1)
    elapsed = end - start
    print(f"raw HSM CKM_ECDSA, 1,000 signatures : {rate:8.0f} signatures/s "
          f"(before {raw:.0f}, after {raw_again:.0f})")
    print(f"proof of {2 * PER_BRANCH} addresses + Safe, A+B : {elapsed:8.2f} s "
          f"(import {imported - start:.2f}, sign {signed_at - imported:.2f}, "
          f"export {end - signed_at:.2f})")
    print(f"ratio to the raw rate ({signatures} signatures at {rate:.0f}/s = "
          f"{signatures / rate:.2f} s): {signatures / rate / elapsed:.3f}")


if __name__ == "__main__":
    main()
