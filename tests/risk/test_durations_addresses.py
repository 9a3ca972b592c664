"""Durations as operators write them, and addresses normalised per chain (published vectors)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from signer.risk.addresses import normalise_address, parse_address_list
from signer.risk.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("10m", timedelta(minutes=10)),
        ("1h", timedelta(hours=1)),
        ("24h", timedelta(hours=24)),
        ("7d", timedelta(days=7)),
        ("3660d", timedelta(days=3660)),
    ],
)
def test_durations(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "bad", ["", "0s", "1", "h", "1.5h", "1H", " 1h", "1h ", "01h", "-1h", "1w", "3661d", 60, None]
)
def test_bad_durations(bad: object) -> None:
    with pytest.raises(ValueError, match="duration"):
        parse_duration(bad)


def test_format_duration_is_exact() -> None:
    assert [format_duration(timedelta(seconds=s)) for s in (90, 600, 3600, 86400, 90000)] == [
        "90s",
        "10m",
        "1h",
        "1d",
        "25h",
    ]


# BIP173 valid vectors (uppercase is allowed, normalised to lowercase).
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        ),
        (
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
            "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7",
        ),
        ("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"),
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"),
    ],
)
def test_bitcoin_addresses(text: str, expected: str) -> None:
    assert normalise_address("bitcoin", text) == expected


@pytest.mark.parametrize(
    "bad",
    [
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5",  # BIP173: invalid checksum
        "tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3Q0sl5k7",  # BIP173: mixed case
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",  # base58 checksum broken
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "",
    ],
)
def test_bad_bitcoin_addresses(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_address("bitcoin", bad)


# EIP-55 published examples.
@pytest.mark.parametrize(
    "text",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
        "0x52908400098527886E0F7030069857D2E4169EE7",
        "0xde709f2102306220921060314715629080e2fb77",
    ],
)
def test_ethereum_addresses(text: str) -> None:
    assert normalise_address("ethereum", text) == text.lower()


@pytest.mark.parametrize(
    "bad",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",  # one letter's case flipped
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1bea",
        "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg",
    ],
)
def test_bad_ethereum_addresses(bad: str) -> None:
    with pytest.raises(ValueError):
        normalise_address("ethereum", bad)


def test_address_list_comments_blank_lines_and_problems() -> None:
    found, problems = parse_address_list(
        "# header\n\n  0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed  # trailing\nnot-an-address\n"
    )
    assert found == {"0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed"}
    assert [line for line, _ in problems] == [4]
