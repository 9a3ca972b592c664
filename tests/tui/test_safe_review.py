"""A Safe draft on the review screen: what it does in words, the raw fields, the hash, refusals."""

from __future__ import annotations

import json
from pathlib import Path

from eth_abi import encode
from eth_utils import keccak, to_checksum_address

from signer.chains.address_text import grouped
from signer.chains.ethereum.safe_hash import safe_tx_hash
from signer.chains.ethereum.safe_tx import parse_safe_tx_json
from signer.tui.app import AirsignApp
from signer.tui.review_screen import ReviewScreen
from signer.usecases import governance
from signer.usecases.appliance import Appliance
from signer.usecases.wallet import load_wallet
from tests.tui.conftest import imported, text

SAFE = "0x" + "5a" * 20
ZERO = "0x" + "00" * 20


def _safe_draft(home: Appliance, inbox: Path, name: str, user_pin: str, **fields: object) -> Path:
    wallet = load_wallet(home)
    if wallet.safe is None:
        # Registered at the drafts' nonce: the next one to sign (issue 15, nonce_gap)
        governance.set_safe(home, SAFE, "A,B", lambda _holder: user_pin, nonce=3)
    tx: dict[str, object] = {
        "safe": SAFE, "chainId": wallet.chain_id, "safeVersion": wallet.safe_version,
        "to": ZERO, "value": "0", "data": "0x", "operation": 0, "safeTxGas": "0",
        "baseGas": "0", "gasPrice": "0", "gasToken": ZERO, "refundReceiver": ZERO, "nonce": 3}
    tx.update(fields)
    path = inbox / name
    path.write_text(json.dumps(tx))
    return path


async def _review(app: AirsignApp, pilot, draft_id: str) -> None:  # type: ignore[no-untyped-def]
    await pilot.press("l", "v")  # every draft: rejected ones too
    table = app.screen.query_one("#drafts-table")
    row = next(i for i, key in enumerate(table.rows) if key.value == draft_id)  # type: ignore[attr-defined]
    table.move_cursor(row=row)  # type: ignore[attr-defined]
    await pilot.press("enter")
    assert isinstance(app.screen, ReviewScreen)


async def test_an_eth_transfer_is_shown_in_words_with_its_safe_tx_hash(
    home: Appliance, inbox: Path, user_pin: str
) -> None:
    payee = "0x" + "ab" * 20
    path = _safe_draft(home, inbox, "eth.json", user_pin, to=payee, value=str(15 * 10**17))
    [draft] = imported(home, path)
    expected_hash = safe_tx_hash(parse_safe_tx_json(path.read_bytes(), "eth.json")).hex()
    app = AirsignApp(home)
    async with app.run_test(size=(100, 40)) as pilot:
        await _review(app, pilot, draft["id"])
        assert "(ethereum): APPROVED" in text(app, "#review-status")
        what = text(app, "#review-what")
        assert f"Transfer 1.5 ETH to:\n      {grouped(to_checksum_address(payee))}" in what
        assert f"safeTxHash:\n      0x{expected_hash}" in what  # to compare on a second device
        raw = text(app, "#review-raw")
        assert expected_hash in raw.lower()
        assert "nonce" in raw.lower() and "operation" in raw.lower()


async def test_a_delegatecall_is_refused_in_place(home: Appliance, inbox: Path,
                                                  user_pin: str) -> None:
    call = keccak(text="transfer(address,uint256)")[:4] + encode(
        ["address", "uint256"], ["0x" + "66" * 20, 0])
    path = _safe_draft(home, inbox, "evil.json", user_pin, to="0x" + "77" * 20,
                       data="0x" + call.hex(), operation=1)
    [draft] = imported(home, path)
    app = AirsignApp(home)
    async with app.run_test(size=(100, 40)) as pilot:
        await _review(app, pilot, draft["id"])
        assert "REJECTED" in text(app, "#review-status")
        assert "[!] delegatecall:" in text(app, "#review-verdict")
        await pilot.press("m")
        await pilot.pause()
        assert app.marked == set()
