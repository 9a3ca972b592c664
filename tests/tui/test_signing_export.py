"""Signing sessions and export through the keyboard, checked against state, journal and files."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image, ImageOps
from textual.pilot import Pilot

from signer.chains.bitcoin.finalize import extract_transaction, finalize_psbt
from signer.chains.bitcoin.psbt_file import read_psbt
from signer.store import drafts, journal, lockouts
from signer.store.db import transaction
from signer.transport.ur import decode_parts
from signer.tui.app import AirsignApp
from signer.tui.export_screen import ExportScreen
from signer.tui.qr_screen import QrScreen, QrSource, fitting_frames
from signer.tui.signing_screen import SigningScreen
from signer.tui.widgets import PinDialog
from signer.usecases.appliance import Appliance
from tests.tui.conftest import fill, imported, settle, text, withdrawal


async def _sign_as(app: AirsignApp, pilot: Pilot[None], pin: str, done: str) -> None:
    await pilot.press("g")
    await settle(pilot, lambda: isinstance(app.screen, PinDialog))
    await fill(pilot, pin)
    await pilot.press("enter")
    await settle(pilot, lambda: done in text(app, "#signing-log"))


async def test_two_holders_sign_a_batch_and_it_is_exported(
    home: Appliance, inbox: Path, user_pin: str, tmp_path: Path
) -> None:
    ids = [d["id"] for d in imported(
        home, withdrawal(home, inbox, "one.psbt", 100_000),
        withdrawal(home, inbox, "two.psbt", 200_000, payee="other", spend=50_000_000))]
    app = AirsignApp(home)
    app.marked.update(ids)  # as the review screen leaves it (tested in test_intake_review)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert isinstance(app.screen, SigningScreen)
        assert "Marked for signing (2)" in text(app, "#signing-drafts")
        await _sign_as(app, pilot, "wrong-pin", "WRONG PIN")
        assert "WRONG PIN for holder A (1 of 5 failures" in text(app, "#signing-log")
        assert lockouts.state(home.conn, "A").failures == 1
        assert all(not r.signatures for r in drafts.listing(home.conn))
        await _sign_as(app, pilot, user_pin, f"SIGNED {ids[1]} as holder A")
        assert "Signatures made: 2" in text(app, "#signing-count")
        assert app.screen.query_one("#signing-progress").percentage == 1.0  # type: ignore[attr-defined]
        await pilot.press("t", "t")  # A -> B -> C
        assert "Signing as holder C (token holder-c)" in text(app, "#signing-holder")
        await _sign_as(app, pilot, user_pin, f"SIGNED {ids[1]} as holder C: quorum reached")
        assert "Signatures made: 4" in text(app, "#signing-count")
        assert "export them" in text(app, "#signing-drafts")
        assert {r.id: sorted(r.signatures) for r in drafts.listing(home.conn)} == {
            i: ["A", "C"] for i in ids}
        signed = list(journal.entries(home.conn, 0, "draft_signed"))
        assert [(e.data["draft"], e.actor) for e in signed] == [
            (ids[0], "A"), (ids[1], "A"), (ids[0], "C"), (ids[1], "C")]

        out = tmp_path / "usb"
        await pilot.press("escape", "e")
        assert isinstance(app.screen, ExportScreen)
        assert "Ready to export (2)" in text(app, "#export-drafts")
        await fill(pilot, str(out))
        await pilot.press("enter")
        await settle(pilot, lambda: "[!]" in text(app, "#export-result"))
        assert "bad_directory" in text(app, "#export-result")  # does not exist yet
        assert "Type another directory" in text(app, "#export-result")
        out.mkdir()
        await pilot.press("f3", "enter")
        await settle(pilot, lambda: "MANIFEST" in text(app, "#export-result"))
        assert "Nothing waiting for export" in text(app, "#export-drafts")
        assert "2 draft(s) already exported" in text(app, "#export-drafts")
        assert "Exported 2 draft(s) into" in text(app, "#export-result")
        for line in (out / "MANIFEST.sha256").read_text().splitlines():
            digest, name = line.split("  ")
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
        for draft_id in ids:
            final = finalize_psbt(read_psbt((out / f"{draft_id}.psbt").read_bytes(), "out"))
            assert (out / f"{draft_id}.tx.hex").read_text().strip() == (
                extract_transaction(final).hex)
            assert (out / f"{draft_id}.ur.txt").exists()
        assert [r.state for r in drafts.listing(home.conn)] == ["exported", "exported"]
        [entry] = journal.entries(home.conn, 0, "drafts_exported")
        assert entry.data["drafts"] == sorted(ids)

        await pilot.press("f2")
        await settle(pilot, lambda: isinstance(app.screen, QrScreen)
                     and "part 1 of" in text(app, "#qr-caption"))
        screen = app.screen
        assert isinstance(screen, QrScreen)
        assert all(fits_80x24(frame) for frame in [text(app, "#qr-code"), *screen.frames])
        # zxing-cpp reads what the screen draws; the parts it reads rebuild the exported PSBT.
        read = [_scan(frame) for frame in screen.frames]
        assert read == [p.upper() for p in screen.parts]
        psbt = decode_parts(read).payload()
        assert psbt == (out / f"{ids[0]}.psbt").read_bytes()
        await pilot.press("escape")
        assert isinstance(app.screen, ExportScreen)


def fits_80x24(frame: str) -> bool:
    """Within 80x24 less the caption and footer rows."""
    lines = frame.splitlines()
    return len(lines) <= 22 and max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("size", [600, 1_125, 1_300, 2_000])
def test_every_frame_of_an_exported_psbt_fits_80x24(size: int) -> None:
    # Signed PSBTs vary in size with the signatures' DER length; later UR parts carry a
    # longer "seq-of" prefix and can need a larger QR version than the first part.
    payload = random.Random(size).randbytes(size)
    parts, frames = fitting_frames(QrSource("x.psbt", payload, "crypto-psbt"), 80, 22)
    assert len(parts) == len(frames) > 1
    assert all(fits_80x24(frame) for frame in frames)


def _scan(frame: str) -> str:
    """Decode one half-block frame as a camera would: light cells white, the rest black."""
    rows = frame.splitlines()
    image = Image.new("L", (len(rows[0]) * 4, len(rows) * 4 + 16), 0)
    for y, row in enumerate(rows):
        for x, cell in enumerate(row):
            top, bottom = cell in "▀█", cell in "▄█"
            for half, light in ((0, top), (1, bottom)):
                if light:
                    top_y = 8 + y * 4 + half * 2
                    image.paste(255, (x * 4, top_y, x * 4 + 4, top_y + 2))
    image = image.resize((image.width * 2, image.height * 4))
    found = zxingcpp.read_barcodes(ImageOps.expand(image, 40, 255))
    assert len(found) == 1, "the QR on screen did not scan"
    return str(found[0].text)


async def test_a_locked_out_holder_sees_the_unlock_instruction(
    home: Appliance, inbox: Path, user_pin: str
) -> None:
    [draft] = imported(home, withdrawal(home, inbox, "one.psbt", 100_000))
    with transaction(home.conn):
        for _ in range(5):
            lockouts.record_failure(home.conn, "A", 5, "2026-11-23T10:00:00Z")
    app = AirsignApp(home)
    app.marked.add(draft["id"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await _sign_as(app, pilot, user_pin, "LOCKED OUT")
        log = text(app, "#signing-log")
        assert "airsign tokens unlock A --holders X,Y" in log
        assert "another holder can sign now" in log
        assert drafts.get(home.conn, draft["id"]).signatures == {}  # type: ignore[union-attr]
        assert [e.actor for e in journal.entries(home.conn, 0, "login_refused_locked")] == ["A"]


async def test_the_pin_dialog_counts_down_and_warns_before_the_last_attempt(
    home: Appliance, inbox: Path, user_pin: str
) -> None:
    [draft] = imported(home, withdrawal(home, inbox, "one.psbt", 100_000))
    app = AirsignApp(home)
    app.marked.add(draft["id"])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        seen, tries = [], [0]
        for _ in range(4):  # four real wrong PINs against holder A's SoftHSM token
            await pilot.press("g")
            await settle(pilot, lambda: isinstance(app.screen, PinDialog))
            seen.append(text(app, "#pin-attempts"))
            await fill(pilot, "wrong-pin")
            await pilot.press("enter")
            tries[0] += 1
            await settle(pilot, lambda: text(app, "#signing-log").count("WRONG PIN") == tries[0])
        assert seen == [f"{n} attempts left before holder A is locked out" for n in (5, 4, 3, 2)]
        assert lockouts.state(home.conn, "A").failures == 4
        await pilot.press("g")
        await settle(pilot, lambda: isinstance(app.screen, PinDialog))
        assert text(app, "#pin-attempts") == (
            "[!] LAST attempt: one more wrong PIN locks holder A out")
        assert "last-attempt" in app.screen.query_one("#pin-attempts").classes
        await fill(pilot, user_pin)  # the right PIN on the last try signs and clears the count
        await pilot.press("enter")
        await settle(pilot, lambda: f"SIGNED {draft['id']} as holder A" in text(
            app, "#signing-log"))
        assert lockouts.state(home.conn, "A").failures == 0
        await pilot.press("t", "g")  # holder B has never typed a wrong PIN
        await settle(pilot, lambda: isinstance(app.screen, PinDialog))
        assert text(app, "#pin-attempts") == "5 attempts left before holder B is locked out"
        assert "last-attempt" not in app.screen.query_one("#pin-attempts").classes


async def test_refusals_are_shown_with_their_reasons(
    home: Appliance, inbox: Path, user_pin: str
) -> None:
    big = imported(home, withdrawal(home, inbox, "big.psbt", 300_000_000, spend=400_000_000))[0]
    app = AirsignApp(home)
    app.marked.add(big["id"])  # a stale mark: the draft is delayed, signing must refuse it
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        await _sign_as(app, pilot, user_pin, "REFUSED")
        assert f"[!] REFUSED {big['id']}: max_per_draft:" in text(app, "#signing-log")
        assert "Signatures made: 0" in text(app, "#signing-count")
