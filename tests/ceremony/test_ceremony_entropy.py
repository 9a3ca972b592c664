"""Entropy mixing: each source counts, only hashes are recorded, dice are checked."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import pytest

from ceremony.entropy import SALT, mix_entropy, parse_dice, read_dice_file
from ceremony.memory import wipe
from signer.errors import BadInput

HSM = bytes(range(32))
OS = bytes(range(100, 164))


def fixed_os(n: int) -> bytes:
    assert n == 64
    return OS


def rfc5869_sha512(ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
    """HKDF written out from RFC 5869, independent of the code under test."""
    prk = hmac.new(salt, ikm, hashlib.sha512).digest()
    okm, block, counter = b"", b"", 1
    while len(okm) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha512).digest()
        okm += block
        counter += 1
    return okm[:length]


def labelled(label: bytes, data: bytes) -> bytes:
    return bytes([len(label)]) + label + len(data).to_bytes(4, "big") + data


@pytest.mark.parametrize("size", [16, 32])
def test_secret_is_documented_hkdf_of_all_sources(size: int) -> None:
    secret, record = mix_entropy(HSM, secret_bytes=size, dice="16 25 34", os_random=fixed_os)
    ikm = labelled(b"hsm", HSM) + labelled(b"os", OS) + labelled(b"dice", b"162534")
    info = b"airsign master secret " + str(size * 8).encode()
    assert isinstance(secret, bytearray)
    assert bytes(secret) == rfc5869_sha512(ikm, SALT, info, size)
    assert record.hsm_sha256 == hashlib.sha256(HSM).hexdigest()
    assert record.os_sha256 == hashlib.sha256(OS).hexdigest()
    assert record.dice_sha256 == hashlib.sha256(b"162534").hexdigest()
    assert record.dice_rolls == 6 and record.dice_bits == 15


def test_record_holds_no_source_bytes() -> None:
    secret, record = mix_entropy(HSM, dice="6" * 10, os_random=fixed_os)
    text = repr(record)
    for source in (HSM, OS, bytes(secret)):
        assert source.hex() not in text


def test_every_source_changes_the_secret() -> None:
    base, _ = mix_entropy(HSM, dice="123", os_random=fixed_os)
    others = [
        mix_entropy(bytes(32), dice="123", os_random=fixed_os)[0],
        mix_entropy(HSM, dice="124", os_random=fixed_os)[0],
        mix_entropy(HSM, dice=None, os_random=fixed_os)[0],
        mix_entropy(HSM, dice="123", os_random=lambda n: bytes(n))[0],
    ]
    assert len({bytes(base), *map(bytes, others)}) == 5


def test_real_os_randomness_differs_run_to_run() -> None:
    # HSM and dice fixed (as if hostile and known): the OS source alone still varies the secret.
    one, _ = mix_entropy(bytes(32), dice="1")
    two, _ = mix_entropy(bytes(32), dice="1")
    assert one != two and len(one) == 32


@pytest.mark.parametrize(
    ("dice", "message"),
    [("1234567", "character 7"), ("12a", "character 3"), ("   ", "none"), ("0", "character 1")],
)
def test_bad_dice_refused(dice: str, message: str) -> None:
    with pytest.raises(BadInput, match=message) as caught:
        mix_entropy(HSM, dice=dice, os_random=fixed_os)
    assert caught.value.code == "bad_dice" and caught.value.exit == 2


def test_dice_file(tmp_path: Path) -> None:
    good = tmp_path / "dice.txt"
    good.write_text("1 2 3\n4 5 6\n")
    assert parse_dice(read_dice_file(good)) == b"123456"
    bad = tmp_path / "bad.txt"
    bad.write_text("1 2 3\n4 5 9\n")
    with pytest.raises(BadInput, match=re.escape(f"{bad}: character 11")):
        read_dice_file(bad)
    with pytest.raises(BadInput, match=re.escape("missing.txt")):
        read_dice_file(tmp_path / "missing.txt")


@pytest.mark.parametrize(("hsm", "size"), [(bytes(31), 32), (HSM, 24)])
def test_weak_inputs_refused(hsm: bytes, size: int) -> None:
    with pytest.raises(BadInput):
        mix_entropy(hsm, secret_bytes=size, os_random=fixed_os)


def test_wipe_zeroes_in_place() -> None:
    secret, _ = mix_entropy(HSM, os_random=fixed_os)
    alias = secret
    wipe(secret)
    assert alias == bytearray(32)
