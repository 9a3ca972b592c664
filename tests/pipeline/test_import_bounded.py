"""Issue 15 item 7: decoding is bounded, so one hostile file never halts withdrawals.

The attacks are built as an attacker would: fountain parts written with cbor2 and
bytewords spelled here (the BCR-2020-012 word list, minimal style, CRC32 trailer), with
seq-num, seq-len and checksum of the attacker's choosing; GIFs drawn with Pillow. Each is
refused with its code and exit 2 within a couple of seconds (while the import holds the
home lock), and an ordinary draft imported with it, and after it, still signs.
"""

from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import time
import zlib
from pathlib import Path

import cbor2
import pytest
import segno
from PIL import Image

from tests.bitcoin.builders import Spend
from tests.conftest import REPO, Cli
from tests.pipeline.conftest import imported, psbt_file, registered, verify_final
from tests.transport.test_qr import gif_outgrowing_its_canvas
from tests.transport.test_ur_bounds import degree_one_flood

# BCR-2020-012: the 256 words; the minimal style spells each byte as first+last letter.
WORDS = """
    able acid also apex aqua arch atom aunt away axis back bald barn belt beta bias
    blue body brag brew bulb buzz calm cash cats chef city claw code cola cook cost
    crux curl cusp cyan dark data days deli dice diet door down draw drop drum dull
    duty each easy echo edge epic even exam exit eyes fact fair fern figs film fish
    fizz flap flew flux foxy free frog fuel fund gala game gear gems gift girl glow
    good gray grim guru gush gyro half hang hard hawk heat help high hill holy hope
    horn huts iced idea idle inch inky into iris iron item jade jazz join jolt jowl
    judo jugs jump junk jury keep keno kept keys kick kiln king kite kiwi knob lamb
    lava lazy leaf legs liar limp lion list logo loud love luau luck lung main many
    math maze memo menu meow mild mint miss monk nail navy need news next noon note
    numb obey oboe omit onyx open oval owls paid part peck play plus poem pool pose
    puff puma purr quad quiz race ramp real redo rich road rock roof ruby ruin runs
    rust safe saga scar sets silk skew slot soap solo song stub surf swan taco task
    taxi tent tied time tiny toil tomb toys trip tuna twin ugly undo unit urge user
    vast very veto vial vibe view visa void vows wall wand warm wasp wave waxy webs
    what when whiz wolf work yank yawn yell yoga yurt zaps zero zest zinc zone zoom
""".split()  # noqa: SIM905 (the spec's table, as printed)


def minimal_bytewords(data: bytes) -> str:
    framed = data + zlib.crc32(data).to_bytes(4, "big")
    return "".join(WORDS[b][0] + WORDS[b][-1] for b in framed)


def forged_parts(count: int, seq_len: int = 10_000, fragment: int = 10,
                 seed: int = 1) -> list[str]:
    """Mixed parts (seqNum past seqLen: each XORs a seeded set of fragments, often
    thousands) of a message that does not exist: random fragments, a made-up checksum."""
    rng = random.Random(seed)
    parts = []
    for _ in range(count):
        seq_num = rng.randrange(seq_len + 1, 2**32 - 1)
        body = cbor2.dumps([seq_num, seq_len, seq_len * fragment, rng.getrandbits(32),
                            rng.randbytes(fragment)])
        parts.append(f"ur:crypto-psbt/{seq_num}-{seq_len}/{minimal_bytewords(body)}")
    return parts


def same_message_parts(count: int, seq_len: int = 10_000, fragment: int = 10) -> list[str]:
    """One forged message: every part shares seqLen, messageLen and checksum."""
    rng = random.Random(7)
    parts = []
    for seq_num in rng.sample(range(seq_len + 1, 2**31), count):
        body = cbor2.dumps([seq_num, seq_len, seq_len * fragment, 0x0BADF00D,
                            rng.randbytes(fragment)])
        parts.append(f"ur:crypto-psbt/{seq_num}-{seq_len}/{minimal_bytewords(body)}")
    return parts


def _timed_import(cli: Cli, *paths: Path) -> tuple[int, dict, float]:
    started = time.perf_counter()
    code, doc = cli("import", *map(str, paths))
    return code, doc, time.perf_counter() - started


def _ordinary_draft_signs(cli: Cli, tmp_path: Path, draft_id: str | None = None) -> None:
    if draft_id is None:
        draft_id = imported(cli, psbt_file(tmp_path, registered(cli), "after.psbt", 150_000,
                                           spends=[Spend((0, 4), 3_000_000)]))["id"]
    for holder in ("A", "B"):
        assert cli("sign", draft_id, "--holder", holder)[0] == 0
    out = tmp_path / f"usb-{draft_id}"
    out.mkdir()
    assert cli("export", draft_id, "--out", str(out))[0] == 0
    verify_final((out / f"{draft_id}.tx.hex").read_text().strip(), out / f"{draft_id}.psbt")


@pytest.mark.parametrize("flood", [same_message_parts, forged_parts])
def test_a_forged_ur_flood_is_refused_within_seconds(wallet_cli: Cli, tmp_path: Path,
                                                     flood: object) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    parts = flood(10_000)  # type: ignore[operator]
    (usb / "flood.ur.txt").write_text("\n".join(parts))
    good = psbt_file(usb, registered(wallet_cli), "withdrawal.psbt", 100_000)
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert seconds < 4.0, seconds  # unbounded, this took minutes
    assert code == 2
    codes = [r["code"] for r in doc["refused"]]
    # Refused once for the work, once for the parts past the cap: never per part.
    assert "ur_too_costly" in codes and len(codes) <= 3, codes
    costly = next(r for r in doc["refused"] if r["code"] == "ur_too_costly")
    assert "flood.ur.txt" in costly["file"] and "1000000 steps" in costly["message"]
    # The withdrawal on the same stick was imported beside the flood, and signs.
    assert [d["source"] for d in doc["drafts"]] == [str(good)]
    _ordinary_draft_signs(wallet_cli, tmp_path, doc["drafts"][0]["id"])
    _ordinary_draft_signs(wallet_cli, tmp_path)


def _gif(frames: int, size: int) -> bytes:
    images = [Image.new("L", (size, size), 255) for _ in range(frames)]
    for index, image in enumerate(images):
        image.putpixel((index % size, 0), 0)  # frames differ, or Pillow merges them
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:])
    return out.getvalue()


@pytest.mark.parametrize(("frames", "size"), [(30, 4000), (500, 500)])
def test_a_small_gif_of_huge_or_many_frames_is_refused_before_decoding(
    wallet_cli: Cli, tmp_path: Path, frames: int, size: int
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    data = _gif(frames, size)
    assert len(data) < 300_000  # small on the stick: the pixels are what costs
    (usb / "bomb.gif").write_bytes(data)
    good = psbt_file(usb, registered(wallet_cli), "withdrawal.psbt", 100_000)
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert seconds < 1.5, seconds
    assert code == 2
    (refused,) = doc["refused"]
    assert refused["code"] == "qr_too_large" and "bomb.gif" in refused["message"]
    assert "100000000" in refused["message"] and str(frames * size * size) in (
        refused["message"])
    assert [d["source"] for d in doc["drafts"]] == [str(good)]
    _ordinary_draft_signs(wallet_cli, tmp_path, doc["drafts"][0]["id"])


def test_the_pixel_budget_is_for_the_whole_import_not_per_file(wallet_cli: Cli,
                                                               tmp_path: Path) -> None:
    """Each GIF alone is within the limit; together they are not: the later ones are
    refused from their headers, so many files cannot add up to minutes either."""
    usb = tmp_path / "usb"
    usb.mkdir()
    for n in range(4):
        (usb / f"part{n}.gif").write_bytes(_gif(10, 3000))  # 90 million pixels each
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert code == 2 and seconds < 3.0, seconds
    refused = sorted(r["file"] for r in doc["refused"] if r["code"] == "qr_too_large")
    assert len(refused) == 3, doc["refused"]
    assert all("left of this import's limit" in r["message"] for r in doc["refused"]
               if r["code"] == "qr_too_large")
    _ordinary_draft_signs(wallet_cli, tmp_path)


def _lock_held(inode: int) -> bool:
    """Whether some process holds a flock on the inode (read from /proc/locks, so the
    probe never takes the lock itself and cannot disturb the import)."""
    return any(line.split()[5].endswith(f":{inode}")
               for line in Path("/proc/locks").read_text().splitlines()
               if len(line.split()) > 5 and line.split()[1] == "FLOCK")


def test_a_flood_holds_the_home_lock_for_seconds_not_minutes(wallet_cli: Cli,
                                                             tmp_path: Path) -> None:
    """`import` takes the home lock when it opens the home, before the scan, and keeps it
    while decoding: measured from outside, in a real process."""
    flood = tmp_path / "flood.ur.txt"
    flood.write_text("\n".join(same_message_parts(10_000)))
    lock = wallet_cli.home / "airsign.lock"
    inode = lock.stat().st_ino
    child = subprocess.Popen(
        [sys.executable, "-m", "signer", "--home", str(wallet_cli.home), "--json", "import",
         str(flood)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)}, cwd=REPO)
    first_held = None
    while child.poll() is None:
        if first_held is None and _lock_held(inode):
            first_held = time.perf_counter()
        time.sleep(0.005)
    released = time.perf_counter()
    out, err = child.communicate()
    assert child.returncode == 2, err
    assert "ur_too_costly" in out
    assert first_held is not None, "the import never held the lock"
    held = released - first_held
    print(f"home lock held {held:.2f} s by an import of 10,000 forged parts")
    assert held < 5.0, held


def test_class7_gifs_whose_frames_outgrow_their_declared_canvas_share_the_budget(
        wallet_cli: Cli, tmp_path: Path) -> None:
    """Each GIF declares a 1-pixel canvas (all the headers show) and then draws 5 frames
    of 4000 x 4000, which Pillow grows the canvas to: 80 million pixels each, charged
    as they grow. Charged only from the headers, the four files decoded 320 million
    pixels under the home lock; charged as they grow, the later ones are refused."""
    usb = tmp_path / "usb"
    usb.mkdir()
    for n in range(4):
        (usb / f"grow{n}.gif").write_bytes(gif_outgrowing_its_canvas(5, 4000))
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert code == 2 and seconds < 3.0, seconds
    refused = [r for r in doc["refused"] if r["code"] == "qr_too_large"]
    assert len(refused) == 3, doc["refused"]
    assert all("left of this import's limit" in r["message"] for r in refused)
    _ordinary_draft_signs(wallet_cli, tmp_path)


def test_class7_a_flood_of_one_fragment_parts_of_many_seq_lens_is_refused_within_seconds(
        wallet_cli: Cli, tmp_path: Path) -> None:
    """5,000 mixed parts (the import's cap) of 20 forged seqLens, each mixing a single
    fragment: each needs another seqLen's degree table, charged as it is built."""
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "flood.ur.txt").write_text("\n".join(degree_one_flood(5_000)))
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert seconds < 4.0, seconds  # charged a step a part, this took half a minute
    assert code == 2
    # Refused once for the work, once for the forged messages read before it: not per part.
    codes = [r["code"] for r in doc["refused"]]
    assert "ur_too_costly" in codes and len(codes) <= 2, codes
    _ordinary_draft_signs(wallet_cli, tmp_path)


def mismatched_fragment_parts(count: int) -> list[str]:
    """One forged part, then ``count`` parts with its seqNum, seqLen, messageLen and
    checksum but fragments of other lengths (each still consistent with seqLen)."""
    rng = random.Random(2)
    parts = []
    for n in range(count + 1):
        body = cbor2.dumps([1, 10, 1_000, 0x0BADF00D, rng.randbytes(100 + n % 12)])
        parts.append(f"ur:crypto-psbt/1-10/{minimal_bytewords(body)}")
    return parts


def test_class7_parts_of_a_message_with_other_fragment_lengths_are_refused_once(
        wallet_cli: Cli, tmp_path: Path) -> None:
    """Each such part is ur_mixed_messages; refused one by one, 3,000 of them were 3,000
    refusals in the report and the journal. Reported once per message, the rest ignored."""
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "mixed.ur.txt").write_text("\n".join(mismatched_fragment_parts(3_000)))
    good = psbt_file(usb, registered(wallet_cli), "withdrawal.psbt", 100_000)
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert code == 2 and seconds < 4.0, seconds
    codes = [r["code"] for r in doc["refused"]]
    assert codes.count("ur_mixed_messages") == 1 and len(codes) <= 2, codes[:5]
    _, journal = wallet_cli("audit", "show", "--kind", "import_refused")
    assert len(journal["entries"]) <= 2
    assert [d["source"] for d in doc["drafts"]] == [str(good)]
    _ordinary_draft_signs(wallet_cli, tmp_path, doc["drafts"][0]["id"])


def test_class7_a_file_of_damaged_ur_parts_is_refused_in_a_few_entries(
        wallet_cli: Cli, tmp_path: Path) -> None:
    """5,000 UR lines whose bytewords fail their CRC: every line used to be a refusal of
    its own in the report and the journal. The first few are named, the rest counted."""
    usb = tmp_path / "usb"
    usb.mkdir()
    (usb / "damaged.ur.txt").write_text("\n".join(
        f"ur:crypto-psbt/{n}-10/aeadaeadaeadaead" for n in range(1, 5_001)))
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert code == 2 and seconds < 4.0, seconds
    assert len(doc["refused"]) <= 4, len(doc["refused"])
    assert "4997 more" in doc["refused"][-1]["message"], doc["refused"][-1]
    _ordinary_draft_signs(wallet_cli, tmp_path)


def _tiny_qr_gif(frames: int) -> bytes:
    """``frames`` QR codes of 27 x 27 pixels (one pixel a module), each a damaged UR part:
    a few hundred pixels a frame, but each frame costs the QR reader a fixed ~0.1 ms."""
    images = []
    for n in range(frames):
        code = segno.make_qr(f"UR:CRYPTO-PSBT/{n + 1}-10/AEADAEADAEADAEAD", error="l")
        out = io.BytesIO()
        code.save(out, kind="png", scale=1, border=1)
        images.append(Image.open(io.BytesIO(out.getvalue())).convert("L"))
    gif = io.BytesIO()
    images[0].save(gif, "GIF", save_all=True, append_images=images[1:])
    return gif.getvalue()


def test_class7_many_tiny_frames_are_charged_a_minimum_each(wallet_cli: Cli,
                                                             tmp_path: Path) -> None:
    """60 GIFs of 1,000 tiny QR frames: 44 million pixels, far under the budget, but
    60,000 frames to scan (and as many refused parts). Each frame is charged at least
    10,000 pixels, so ten files are read and the rest refused from their headers; the
    damaged parts are named three per file and the rest counted."""
    usb = tmp_path / "usb"
    usb.mkdir()
    gif = _tiny_qr_gif(1_000)
    for n in range(60):
        (usb / f"tiny{n:02}.gif").write_bytes(gif)
    code, doc, seconds = _timed_import(wallet_cli, usb)
    assert code == 2 and seconds < 4.0, seconds
    too_large = [r for r in doc["refused"] if r["code"] == "qr_too_large"]
    assert len(too_large) == 50, len(too_large)
    assert len(doc["refused"]) <= 50 + 10 * 4 + 1, len(doc["refused"])
    _ordinary_draft_signs(wallet_cli, tmp_path)
