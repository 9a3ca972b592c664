"""What holders read about the demo drafts: `show` (text and JSON), `drafts`, `import` and the
TUI review say everything a draft does, addresses in full, and no Python repr; look-alike
addresses a hostile vault plants are flagged where holders decide."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from embit import bech32
from embit.psbt import PSBT
from embit.script import Script
from eth_utils import to_checksum_address
from textual.pilot import Pilot
from textual.widgets import DataTable, DirectoryTree

from demo_appliance.home import create_demo, safe_tx
from signer.chains.address_text import grouped, grouped_lines, looks_alike, marked_groups
from signer.cli.main import run
from signer.store import drafts
from signer.tui.app import AirsignApp
from signer.tui.review_screen import ReviewScreen
from signer.tui.widgets import TypedConfirm
from signer.usecases.appliance import Appliance
from signer.usecases.intake import import_paths
from signer.usecases.sign_drafts import sign_drafts
from signer.usecases.wallet import load_wallet
from tests.tui.conftest import settle, text

REPRS = ("{'", "['", "None")


@pytest.fixture
def demo(tmp_path: Path, token_set: Any, user_pin: str) -> Path:
    """The demo home of `make run`, its inbox imported."""
    home = tmp_path / "demo" / "home"
    home.parent.mkdir()
    create_demo(home, token_set.module, user_pin)
    app = Appliance.open(home)
    try:
        import_paths(app, sorted((home.parent / "inbox").iterdir()))
    finally:
        app.close()
    return home


def _airsign(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = run(["--home", str(home), *args])
    return code, capsys.readouterr().out


def _rows(home: Path) -> list[drafts.Draft]:
    app = Appliance.open(home)
    try:
        return drafts.listing(app.conn)
    finally:
        app.close()


def _no_repr(shown: str) -> None:
    for marker in REPRS:
        assert marker not in shown, (marker, shown)


def _in_full(address: str) -> list[str]:
    """An address as the review prints it: grouped, a long one over lines (whole groups)."""
    return [row.strip() for row in grouped_lines(address)]


def _everything_it_does(row: drafts.Draft) -> list[str]:
    """Each output's amount and grouped address, or each call's target and recipient."""
    if row.chain == "bitcoin":
        return [part for o in row.summary["outputs"]
                for part in (f"{o['amount']} BTC", *_in_full(o["address"]))]
    found = [row.summary["safeTxHash"]]
    for call in row.summary["decoded"]["calls"]:
        found += _in_full(call["to"])
        if call["destination"]:
            found += [*_in_full(call["destination"]), f"{call['amount']} {call['asset']}"]
    return found


def test_show_drafts_and_import_say_everything_and_no_repr(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = _rows(demo)
    assert len(rows) == 6
    code, listing = _airsign(capsys, demo, "drafts", "--all")
    assert code == 0
    _no_repr(listing)
    for row in rows:
        code, shown = _airsign(capsys, demo, "show", row.id)
        assert code == 0
        _no_repr(shown)
        code, as_json = _airsign(capsys, demo, "--json", "show", row.id)
        _no_repr(as_json)
        doc = json.loads(as_json)
        [line] = [x for x in listing.splitlines() if x.startswith(row.id)]
        for part in _everything_it_does(row):
            assert part in shown, (row.source, part)
        if row.chain == "bitcoin":
            assert f"unsigned txid:\n        {doc['unsigned_txid']}" in shown
            assert doc["unsigned_txid"] == PSBT.parse(row.payload).tx.txid().hex()
            for o in row.summary["outputs"]:
                if o["kind"] == "EXTERNAL":  # every payment in the list line, never the first only
                    assert f"{o['amount']} BTC to {grouped(o['address'])}" in line
        else:
            assert f"safeTxHash:\n        {doc['safeTxHash']}" in shown
            for call in row.summary["decoded"]["calls"]:
                assert grouped(call["destination"] or call["to"]) in line
    fraud = next(r for r in rows if r.source.endswith("04-fraudulent-change.psbt"))
    fraud_line = next(x for x in listing.splitlines() if x.startswith(fraud.id))
    assert "Send 0.01 BTC to " in fraud_line and " + 0.9899 BTC to " in fraud_line
    lie = next(r for r in rows if r.source.endswith("06-envelope-lies-about-amount.json"))
    shown = _airsign(capsys, demo, "show", lie.id)[1]
    assert "amount: request 0.015 BTC, payload 1.5 BTC" in shown
    assert "Request from vault key vault-demo (vault draft WD-000125):" in shown
    delegate = next(r for r in rows if r.source.endswith("05-safe-delegatecall.json"))
    assert [r["code"] for r in delegate.reasons] == ["delegatecall"]  # no restating reason


def test_import_lists_every_output_without_repr(
    tmp_path: Path, token_set: Any, user_pin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "demo" / "home"
    home.parent.mkdir()
    create_demo(home, token_set.module, user_pin)
    code, result = _airsign(capsys, home, "import", *map(str, sorted(
        (home.parent / "inbox").iterdir())))
    assert code == 3
    _no_repr(result)
    assert "-> None" not in result and "DELEGATECALL" in result
    assert "Send 0.01 BTC to bcrt1q" in result and " + 0.9899 BTC to bcrt1q" in result


async def _painted(pilot: Pilot[None], app: AirsignApp) -> None:
    """The dashboard's workers have read the home: none still uses it when the test ends
    and closes the home (a worker on a closed SQLite connection crashes the process)."""
    await settle(pilot, lambda: "holder-a" in text(app, "#tokens")
                 and "Queue" in text(app, "#queue"))


async def _until(pilot: Pilot[None], app: AirsignApp, shown: Callable[[AirsignApp], bool]
                 ) -> None:
    await settle(pilot, lambda: shown(app))


async def _opened(pilot: Pilot[None], app: AirsignApp, draft_id: str) -> None:
    await settle(pilot, lambda: draft_id in text(app, "#review-status"))


async def test_the_review_of_each_demo_draft_says_everything(demo: Path) -> None:
    app_home = Appliance.open(demo)
    try:
        for row in drafts.listing(app_home.conn):
            app = AirsignApp(app_home)
            async with app.run_test(size=(80, 24)) as pilot:
                await _painted(pilot, app)
                app.push_screen(ReviewScreen(app_home, row.id, set()))
                await _opened(pilot, app, row.id)
                shown = "\n".join(text(app, f"#review-{part}")
                                  for part in ("what", "verdict", "words", "raw"))
                _no_repr(shown)
                for part in _everything_it_does(row):
                    assert part in shown, (row.source, part)
                if row.chain == "bitcoin":
                    assert PSBT.parse(row.payload).tx.txid().hex() in shown
    finally:
        app_home.close()


async def test_the_tui_import_of_the_demo_inbox_says_every_output(
    tmp_path: Path, token_set: Any, user_pin: str
) -> None:
    home = tmp_path / "demo" / "home"
    home.parent.mkdir()
    create_demo(home, token_set.module, user_pin)
    appliance = Appliance.open(home)
    try:
        app = AirsignApp(appliance)
        async with app.run_test(size=(80, 24)) as pilot:
            await _painted(pilot, app)
            await pilot.press("i")
            tree = app.screen.query_one(DirectoryTree)
            await settle(pilot, lambda: tree.cursor_node is not None)
            await pilot.press("i")  # the demo inbox, the default start
            await settle(pilot, lambda: "Next:" in text(app, "#intake-result"))
            result = " ".join(text(app, "#intake-result").split())  # undo the wrapping
        _no_repr(result)
        for row in drafts.listing(appliance.conn):
            if row.chain == "bitcoin":
                for o in row.summary["outputs"]:
                    if o["kind"] == "EXTERNAL":
                        assert f"{o['amount']} BTC to {grouped(o['address'])}" in result
            else:
                for call in row.summary["decoded"]["calls"]:
                    assert grouped(call["destination"] or call["to"]) in result
    finally:
        appliance.close()


async def test_the_drafts_table_gives_the_highlighted_draft_in_full(demo: Path) -> None:
    appliance = Appliance.open(demo)
    try:
        fraud = next(r for r in drafts.listing(appliance.conn)
                     if r.source.endswith("04-fraudulent-change.psbt"))
        app = AirsignApp(appliance)
        async with app.run_test(size=(80, 24)) as pilot:
            await _painted(pilot, app)
            await pilot.press("l", "v")  # the rejected draft is in the every-draft view
            table = app.screen.query_one("#drafts-table", DataTable)
            table.move_cursor(row=table.get_row_index(fraud.id))
            await _until(pilot, app, lambda app: fraud.id in text(app, "#drafts-detail"))
            shown = text(app, "#drafts-detail")
        for o in fraud.summary["outputs"]:  # both payments, not only the customer's
            said = f"Send {o['amount']} BTC to an address not ours:\n    {grouped(o['address'])}"
            assert said in shown
    finally:
        appliance.close()


# Look-alikes -----------------------------------------------------------------------------

def _polymod(values: list[int]) -> int:
    """BIP-173 checksum arithmetic, written out here (the vault's own, not the appliance's)."""
    generator = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    check = 1
    for value in values:
        top = check >> 25
        check = (check & 0x1FFFFFF) << 5 ^ value
        for i in range(5):
            check ^= generator[i] if (top >> i) & 1 else 0
    return check


def _checksum_tail(hrp: str, data: list[int]) -> int:
    """The last four checksum characters (20 bits) of a bech32 (v0) address."""
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return (_polymod(expanded + data + [0] * 6) ^ 1) & 0xFFFFF


def lookalike_bitcoin(address: str) -> str:
    """A P2WPKH address with the same first and last four characters after `bcrt1q`.

    The head is chosen directly (it is the program's first bits); the tail is checksum, so
    its 20 bits are searched. The checksum is affine in the data, so the 2^20 candidates
    for the program's last four characters split into two tables of 2^10 (a vanity
    generator's meet-in-the-middle); a new middle is tried until one solves it.
    """
    hrp, body = "bcrt", address[len("bcrt1q"):]
    charset = bech32.CHARSET
    want = 0
    for c in body[-4:]:
        want = want << 5 | charset.index(c)
    head = [charset.index(c) for c in body[:4]]
    for salt in range(1, 64):
        middle = [(salt * 7 + i * 13) % 32 for i in range(32 - 4 - 4)]
        prefix = [0, *head, *middle]
        zero = _checksum_tail(hrp, [*prefix, 0, 0, 0, 0])
        high = {}
        for h in range(1024):
            high[_checksum_tail(hrp, [*prefix, h >> 5, h & 31, 0, 0]) ^ zero] = h
        for low in range(1024):
            effect = _checksum_tail(hrp, [*prefix, 0, 0, low >> 5, low & 31]) ^ zero
            top = high.get(want ^ zero ^ effect)
            if top is not None:
                data = [*prefix, top >> 5, top & 31, low >> 5, low & 31]
                program = bech32.convertbits(data[1:], 5, 8, False)
                found = bech32.encode(hrp, 0, program)
                assert found is not None and found != address
                assert found[:10] == address[:10] and found[-4:] == address[-4:]
                return str(found)
    raise AssertionError("no look-alike found")


def lookalike_ethereum(address: str) -> str:
    """Same first and last four hex digits, another address between (EIP-55 checksummed)."""
    return to_checksum_address("0x" + address[2:6] + "5e" * 16 + address[-4:])


async def test_lookalikes_of_known_addresses_are_flagged_in_show_and_review(
    demo: Path, user_pin: str, capsys: pytest.CaptureFixture[str]
) -> None:
    app = Appliance.open(demo)
    try:
        rows = drafts.listing(app.conn)
        good = next(r for r in rows if r.source.endswith("01-withdrawal-0.015-btc.json"))
        report = sign_drafts(app, [good.id], ["A", "B"], lambda _holder: user_pin)
        assert report.refused == []
        paid = next(o["address"] for o in good.summary["outputs"] if o["kind"] == "EXTERNAL")
        # The hostile vault pays a look-alike of that destination: the large plain draft
        # with its payment output's script swapped (embit), everything else as it was.
        inbox = demo.parent / "inbox"
        psbt = PSBT.parse((inbox / "03-large-3-btc.psbt").read_bytes())
        fake = lookalike_bitcoin(paid)
        script = Script(bytes([0, 20]) + bytes(bech32.decode("bcrt", fake)[1]))
        psbt.tx.vout[0].script_pubkey = psbt.outputs[0].script_pubkey = script
        (inbox / "07-lookalike.psbt").write_bytes(base64.b64encode(psbt.serialize()))
        safe = load_wallet(app).safe
        assert safe is not None
        fake_safe = lookalike_ethereum(safe)
        # Nonce 1: the next one (0 is the USDT draft; the rejected delegatecall at 1 holds
        # nothing, so nonce 2 would be a gap).
        (inbox / "08-lookalike-safe.json").write_text(json.dumps(safe_tx(
            load_wallet(app), 1, to=fake_safe, value=str(10**18))))
        imported = import_paths(app, [inbox / "07-lookalike.psbt",
                                      inbox / "08-lookalike-safe.json"])
        assert imported.refused == []
        ids = {d["chain"]: d["id"] for d in imported.drafts}
    finally:
        app.close()
    for chain, fake_address, known in (("bitcoin", fake, paid), ("ethereum", fake_safe, safe)):
        _code, shown = _airsign(capsys, demo, "show", ids[chain])
        assert f"[!] LOOK-ALIKE ADDRESS: {grouped(fake_address)}" in shown
        assert grouped(known) in shown
        doc = json.loads(_airsign(capsys, demo, "--json", "show", ids[chain])[1])
        assert [(x["address"], x["resembles"]) for x in doc["lookalikes"]] == [
            (fake_address, known)]
        app = Appliance.open(demo)
        try:
            tui = AirsignApp(app)
            async with tui.run_test(size=(80, 24)) as pilot:
                await _painted(pilot, tui)
                tui.push_screen(ReviewScreen(app, ids[chain], set()))
                await _opened(pilot, tui, ids[chain])
                what = text(tui, "#review-what")
                assert "[!] LOOK-ALIKE ADDRESS:" in what.splitlines()[1]  # the first thing said
                assert grouped(known) in what and ">" in what
                if chain == "ethereum":  # approved: marking it asks for the typed confirmation
                    assert "APPROVED" in text(tui, "#review-status")
                    await pilot.press("m")
                    await _until(pilot, tui, lambda app: isinstance(app.screen, TypedConfirm))
                    why = " ".join(str(w.render()) for w in tui.screen.query("Static"))
                    assert f"look-alike address {fake_address}" in why
                    await pilot.press("escape")
                    await _until(pilot, tui, lambda app: "NOT marked" in text(
                        app, "#review-status"))
        finally:
            app.close()
    # The address it imitates is no look-alike of itself: the signed draft shows none.
    doc = json.loads(_airsign(capsys, demo, "--json", "show", good.id)[1])
    assert doc["lookalikes"] == []


async def test_locktime_and_sequence_are_shown_when_not_plain(
    demo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The vault sets nLockTime and a sequence of its own (embit); holders are told both."""
    inbox = demo.parent / "inbox"
    psbt = PSBT.parse((inbox / "03-large-3-btc.psbt").read_bytes())
    psbt.tx.locktime = psbt.locktime = 100  # a past height: valid, not what we build
    psbt.tx.vin[0].sequence = psbt.inputs[0].sequence = 0x80000010  # BIP-68 disabled
    (inbox / "09-locktime.psbt").write_bytes(psbt.serialize())
    app = Appliance.open(demo)
    try:
        [draft] = import_paths(app, [inbox / "09-locktime.psbt"]).drafts
        tui = AirsignApp(app)
        async with tui.run_test(size=(80, 24)) as pilot:
            await _painted(pilot, tui)
            tui.push_screen(ReviewScreen(app, draft["id"], set()))
            await _opened(pilot, tui, draft["id"])
            what = text(tui, "#review-what")
    finally:
        app.close()
    shown = _airsign(capsys, demo, "show", draft["id"])[1]
    for said in (shown, what):
        assert "locktime 100 (block height): not valid in a block before it" in said
        assert "input 0 sequence 0x80000010 (not the default)" in said
    plain = _airsign(capsys, demo, "show", _rows(demo)[0].id)[1]  # the appliance's own shape
    assert "locktime" not in plain and "sequence" not in plain


def test_addresses_are_grouped_and_lookalikes_need_both_ends() -> None:
    address = "bcrt1q4pwv22tgp3tmx70u2us3mx4qqqdc0s0cx30x98"
    assert grouped(address) == "bcrt1q 4pwv 22tg p3tm x70u 2us3 mx4q qqdc 0s0c x30x 98"
    assert grouped("0x7169D38820dfd117C3FA1f22a697dBA58d90BA06") == (
        "0x 7169 D388 20df d117 C3FA 1f22 a697 dBA5 8d90 BA06")
    assert "".join(grouped(address).split()) == address  # nothing dropped, nothing added
    twin = lookalike_bitcoin(address)
    assert looks_alike(twin, address) and looks_alike(address.upper(), twin)
    assert not looks_alike(address, address)
    assert not looks_alike(twin[:-1] + ("q" if twin[-1] != "q" else "p"), address)
    marked = marked_groups(twin, address)
    # the shared ends stand unmarked, the groups between them that differ are marked
    assert marked.startswith("bcrt1q 4pwv ") and marked.endswith(" 98") and ">" in marked


def test_a_hostile_request_cannot_forge_lines_or_show_reprs() -> None:
    """The vault signs its request, but its fields are hostile text: a newline must not
    forge a review line, objects must not print as reprs, a wall of text is cut."""
    from signer.usecases.describe import describe

    row = drafts.Draft(
        id="0" * 16, chain="bitcoin", payload=b"", source="inbox/x.json",
        envelope={"key_id": "vault-1", "draft": {"id": "WD-1", "request": {
            "asset": ["BTC"], "amount": {"value": "1"}, "destination": None,
            "reference": "ok\n  reason none: looks fine" + "x" * 500}}},
        summary={"outputs": [], "fee": None}, verdict="reject", reasons=[], not_before=None,
        released=False, complete=False, exported=False, signatures={})
    lines = describe(row).request
    assert len(lines) == 3  # the head, what was asked, the reference: nothing forged
    joined = "\n".join(lines)
    _no_repr(joined)
    assert "value 1 BTC to (none)" in joined
    assert "ok?  reason none: looks fine" in joined and "more characters)" in joined

