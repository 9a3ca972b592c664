"""Holder A signs in one process, holder B later in another; the PSBT travels as a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from builders import SeededWallet, Spend, build_psbt, external_script
from hsm_wallet import import_wallet_keys, verify_spends

from signer.chains.bitcoin.finalize import extract_transaction, finalize_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes, read_psbt
from signer.chains.bitcoin.review import review_draft
from signer.hsm.token import TokenSession

CHILD = Path(__file__).with_name("holder_signs.py")
SPENDS = [Spend((0, 2), 1_200_000), Spend((1, 5), 800_000), Spend((0, 8), 450_000)]
PAY, FEE = 2_000_000, 1_500


def write_draft(seeded: SeededWallet, path: Path) -> None:
    change = sum(s.amount for s in SPENDS) - PAY - FEE
    draft = build_psbt(
        seeded.wallet, SPENDS, [(external_script("exchange"), PAY)], ((1, 6), change)
    )
    path.write_bytes(psbt_bytes(draft))


def station(
    holder: str, label: str, source: Path, target: Path, pin: str
) -> subprocess.CompletedProcess[str]:
    """Run one holder's signing in a fresh Python process; the PIN travels in the environment."""
    return subprocess.run(
        [sys.executable, str(CHILD), holder, label, str(source), str(target)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "AIRSIGN_TEST_PIN": pin},
        check=False,
    )


def test_two_processes_sign_one_after_the_other(
    seeded: SeededWallet, tokens: dict[str, TokenSession], user_pin: str, tmp_path: Path
) -> None:
    for holder in "AB":
        import_wallet_keys(tokens[holder], seeded, holder, [s.branch for s in SPENDS])
        tokens[holder].logout()  # the parent holds no session while the stations sign
    write_draft(seeded, tmp_path / "draft.psbt")

    first = station("A", "holder-a", tmp_path / "draft.psbt", tmp_path / "a.psbt", user_pin)
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout) == {"holder": "A", "signatures": 3}
    second = station("B", "holder-b", tmp_path / "a.psbt", tmp_path / "ab.psbt", user_pin)
    assert second.returncode == 0, second.stderr
    assert json.loads(second.stdout) == {"holder": "B", "signatures": 3}

    signed = read_psbt((tmp_path / "ab.psbt").read_bytes(), "ab.psbt")
    assert [line.signed_by for line in review_draft(signed, seeded.wallet).inputs] == [
        ("A", "B")
    ] * len(SPENDS)
    network_tx = extract_transaction(finalize_psbt(signed))
    verify_spends(seeded, SPENDS, network_tx.hex)


def test_a_station_with_the_wrong_pin_signs_nothing(
    seeded: SeededWallet, tokens: dict[str, TokenSession], user_pin: str, tmp_path: Path
) -> None:
    import_wallet_keys(tokens["A"], seeded, "A", [s.branch for s in SPENDS])
    tokens["A"].logout()
    write_draft(seeded, tmp_path / "draft.psbt")
    refused = station(
        "A", "holder-a", tmp_path / "draft.psbt", tmp_path / "a.psbt", user_pin + "-wrong"
    )
    assert refused.returncode != 0
    assert "wrong_pin" in refused.stderr
    assert user_pin not in refused.stderr + refused.stdout
    assert not (tmp_path / "a.psbt").exists()
