"""Policy files: the FORMATS.md example loads, defaults hold, and every bad file names its field."""

from __future__ import annotations

import hashlib
import json
import tomllib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from risk_support import base_document, set_path, to_toml, write_policy

from signer.errors import BadInput, Exit
from signer.risk import load_canonical_policy, load_policy, policy_hash

FORMATS_EXAMPLE = """\
version = 1
default_delay = "24h"
accept_plain_drafts = false          # true: drafts without a vault envelope are accepted

[assets.BTC]
chain = "bitcoin"
max_per_draft = "2.5"
windows = [ { period = "1h", max_total = "5", max_count = 20 },
            { period = "24h", max_total = "20", max_count = 100 } ]
max_fee = "0.005"
max_fee_percent = 2.0
max_fee_rate = 500                   # sat/vB

[assets.ETH]
chain = "ethereum"
max_per_draft = "50"
windows = [ { period = "24h", max_total = "200", max_count = 100 } ]

[assets.USDT]
chain = "ethereum"
contract = "0xdAC17F958D2ee523a2206206994597C13D831ec7"
decimals = 6
max_per_draft = "250000"
windows = [ { period = "24h", max_total = "1000000", max_count = 100 } ]

[destinations]
allowlist = "allowlist.txt"          # one address per line, relative to this file; optional
denylist = "denylist.txt"            # optional; the denylist wins
first_time = "delay"                 # delay | allow | reject

[anomaly]
median_factor = 10
median_window = 50
burst_count = 20
burst_period = "10m"

[circuit_breaker]
max_flagged = 5
period = "1h"
"""

# BIP173 / EIP-55 published examples, written the way operators paste them.
ALLOWLIST = """\
# hot wallet
BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4
0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed   # EIP-55 example
"""
DENYLIST = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2\n\n0xFB6916095CA1DF60BB79CE92CE3EA74C37C5D359\n"


def _example(tmp_path: Path) -> Path:
    (tmp_path / "allowlist.txt").write_text(ALLOWLIST)
    (tmp_path / "denylist.txt").write_text(DENYLIST)
    path = tmp_path / "policy.toml"
    path.write_text(FORMATS_EXAMPLE)
    return path


def test_formats_example_loads_with_every_field(tmp_path: Path) -> None:
    policy = load_policy(_example(tmp_path))
    doc = policy.document
    btc = doc.assets["BTC"]
    assert btc.max_per_draft == Decimal("2.5")
    assert [(w.period, w.max_total, w.max_count) for w in btc.windows] == [
        (timedelta(hours=1), Decimal(5), 20),
        (timedelta(hours=24), Decimal(20), 100),
    ]
    assert (btc.max_fee, btc.max_fee_percent, btc.max_fee_rate) == (
        Decimal("0.005"),
        Decimal("2.0"),
        Decimal(500),
    )
    assert doc.assets["USDT"].contract == "0xdac17f958d2ee523a2206206994597c13d831ec7"
    assert doc.assets["USDT"].unit_decimals == 6
    assert doc.assets["ETH"].unit_decimals == 18
    assert doc.default_delay == timedelta(days=1)
    assert doc.accept_plain_drafts is False
    assert doc.destinations.first_time == "delay"
    assert doc.anomaly.burst_period == timedelta(minutes=10)
    assert doc.circuit_breaker.period == timedelta(hours=1)
    assert policy.allowlist == {
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
        "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
    }
    assert policy.denylist == {
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359",
    }


def test_defaults_for_omitted_sections(tmp_path: Path) -> None:
    doc = base_document()
    for section in ("destinations", "anomaly", "circuit_breaker", "default_delay"):
        doc = set_path(doc, section, ...)
    policy = load_policy(write_policy(tmp_path, doc))
    d = policy.document
    assert d.default_delay == timedelta(hours=24)
    assert d.destinations.first_time == "delay"
    assert (d.anomaly.median_factor, d.anomaly.median_window) == (Decimal(10), 50)
    assert (d.anomaly.burst_count, d.anomaly.burst_period) == (20, timedelta(minutes=10))
    assert (d.circuit_breaker.max_flagged, d.circuit_breaker.period) == (5, timedelta(hours=1))
    assert policy.allowlist is None and policy.denylist == frozenset()


def test_models_are_frozen(tmp_path: Path) -> None:
    policy = load_policy(write_policy(tmp_path, base_document()))
    with pytest.raises(ValueError):
        policy.document.assets["BTC"].max_per_draft = Decimal(1000)  # type: ignore[misc]


BTC = "assets.BTC"
# (what is wrong, path to change, new value, field path the message must name, words expected)
BAD_FIELDS: list[tuple[str, str, Any, str, str]] = [
    ("unknown top key", "max_amount", "5", "max_amount", "unknown key"),
    ("unknown asset key", f"{BTC}.maxfee", "1", f"{BTC}.maxfee", "allowed here: chain"),
    ("unknown window key", f"{BTC}.windows[1].limit", "1", f"{BTC}.windows[1].limit", "unknown"),
    ("bad period", f"{BTC}.windows[1].period", "1 hour", f"{BTC}.windows[1].period", "duration"),
    ("zero period", f"{BTC}.windows[0].period", "0h", f"{BTC}.windows[0].period", "duration"),
    ("period as number", f"{BTC}.windows[0].period", 3600, f"{BTC}.windows[0].period", '"1h"'),
    ("amount as float", f"{BTC}.max_per_draft", 2.5, f"{BTC}.max_per_draft", "decimal string"),
    ("exponent amount", f"{BTC}.max_fee", "5e-3", f"{BTC}.max_fee", "no exponent"),
    ("negative amount", f"{BTC}.windows[0].max_total", "-5", f"{BTC}.windows[0].max_total", ""),
    ("zero amount", f"{BTC}.max_per_draft", "0", f"{BTC}.max_per_draft", "greater than zero"),
    (
        "sub-satoshi",
        f"{BTC}.windows[1].max_total",
        "0.000000001",
        f"{BTC}.windows[1].max_total",
        "8 decimal places",
    ),
    ("count as string", f"{BTC}.windows[0].max_count", "20", f"{BTC}.windows[0].max_count", "int"),
    ("count zero", f"{BTC}.windows[0].max_count", 0, f"{BTC}.windows[0].max_count", "1"),
    ("no windows", f"{BTC}.windows", [], f"{BTC}.windows", "at least 1"),
    ("missing max_per_draft", f"{BTC}.max_per_draft", ..., f"{BTC}.max_per_draft", "required"),
    ("unknown chain", f"{BTC}.chain", "litecoin", f"{BTC}.chain", "'bitcoin'"),
    ("contract on bitcoin", f"{BTC}.contract", "0x" + "11" * 20, f"{BTC}.contract", "no contract"),
    (
        "fee rate on ether",
        "assets.ETH.max_fee_rate",
        50,
        "assets.ETH.max_fee_rate",
        "ethereum asset",
    ),
    ("erc20 without decimals", "assets.USDT.decimals", ..., "assets.USDT.decimals", "decimals"),
    (
        "bad checksum",
        "assets.USDT.contract",
        "0xdAC17F958D2ee523a2206206994597C13D831EC7",
        "assets.USDT.contract",
        "EIP-55",
    ),
    ("percent over 100", f"{BTC}.max_fee_percent", 150, f"{BTC}.max_fee_percent", "100"),
    ("lowercase symbol", "assets.btc", {"chain": "bitcoin"}, "assets.btc (name)", "asset symbol"),
    ("version 2", "version", 2, "version", "1"),
    ("plain drafts as string", "accept_plain_drafts", "no", "accept_plain_drafts", "bool"),
    ("first_time typo", "destinations.first_time", "deny", "destinations.first_time", "'delay'"),
    ("median factor < 1", "anomaly.median_factor", 0.5, "anomaly.median_factor", "1"),
    ("burst period bad", "anomaly.burst_period", "10 min", "anomaly.burst_period", "duration"),
    ("breaker negative", "circuit_breaker.max_flagged", -1, "circuit_breaker.max_flagged", "0"),
    ("unknown section", "alerts", {"mail": "x"}, "alerts", "unknown key"),
    ("fixed code override", "verdicts.delay", ["denylisted"], "verdicts.delay[0]", "'burst'"),
    (
        "code twice",
        "verdicts",
        {"reject": ["burst"], "delay": ["burst"]},
        "verdicts.delay[0]",
        "only one",
    ),
    (
        "second native ether",
        "assets.WETH",
        {
            "chain": "ethereum",
            "max_per_draft": "1",
            "windows": [{"period": "1h", "max_total": "1", "max_count": 1}],
        },
        "assets.WETH.chain",
        "ETH",
    ),
]


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [case[1:] for case in BAD_FIELDS],
    ids=[case[0] for case in BAD_FIELDS],
)
def test_bad_policy_names_file_field_and_expectation(
    tmp_path: Path, path: str, value: Any, field: str, words: str
) -> None:
    policy_file = write_policy(tmp_path, set_path(base_document(), path, value))
    with pytest.raises(BadInput) as caught:
        load_policy(policy_file)
    message = caught.value.message
    assert message.startswith(f"{policy_file}: field '{field}': expected ")
    assert words in message
    assert caught.value.exit == Exit.BAD_INPUT and caught.value.code == "bad_policy"


def test_every_problem_is_reported(tmp_path: Path) -> None:
    doc = set_path(base_document(), "assets.BTC.windows[1].period", "1 hour")
    doc = set_path(doc, "anomaly.burst_count", "many")
    with pytest.raises(BadInput) as caught:
        load_policy(write_policy(tmp_path, doc))
    assert "'assets.BTC.windows[1].period'" in caught.value.message
    assert "'anomaly.burst_count'" in caught.value.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("version = 1\nversion = 1\n", "valid TOML"),
        ("version = 1\n[assets.BTC\n", "line 2"),
        ("version = \xff\n", "valid TOML"),
    ],
    ids=["duplicate key", "unclosed table", "not toml"],
)
def test_bad_toml_names_file_and_line(tmp_path: Path, text: str, words: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text)
    with pytest.raises(BadInput) as caught:
        load_policy(path)
    assert caught.value.message.startswith(f"{path}: expected valid TOML")
    assert words in caught.value.message


def test_non_utf8_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_bytes(b"version = 1\n# \xff\xfe\n")
    with pytest.raises(BadInput, match="UTF-8"):
        load_policy(path)


def test_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="readable file"):
        load_policy(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("files", "field", "words"),
    [
        ({}, "destinations.allowlist", "readable file"),
        (
            {"allowlist.txt": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5\n"},
            "destinations.allowlist",
            "allowlist.txt line 1",
        ),
        (
            {"allowlist.txt": "# ok\n\nBc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4\n"},
            "destinations.allowlist",
            "allowlist.txt line 3: a bech32 address in one case",
        ),
        (
            {"allowlist.txt": "", "denylist.txt": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD\n"},
            "destinations.denylist",
            "EIP-55",
        ),
    ],
    ids=["missing list", "bad bech32 checksum", "mixed-case bech32", "bad EIP-55"],
)
def test_bad_address_lists(tmp_path: Path, files: dict[str, str], field: str, words: str) -> None:
    doc = set_path(base_document(), "destinations.allowlist", "allowlist.txt")
    if "denylist.txt" in files:
        doc = set_path(doc, "destinations.denylist", "denylist.txt")
    with pytest.raises(BadInput) as caught:
        load_policy(write_policy(tmp_path, doc, files))
    assert f"field '{field}'" in caught.value.message and words in caught.value.message


def test_policy_hash_is_sha256_of_sorted_compact_json(tmp_path: Path) -> None:
    data = to_toml(base_document()).encode()
    expected = json.dumps(
        {"policy": tomllib.loads(data.decode())}, sort_keys=True, separators=(",", ":")
    ).encode()
    assert policy_hash(data) == hashlib.sha256(expected).hexdigest()


def test_policy_hash_ignores_layout_but_not_values() -> None:
    data = to_toml(base_document()).encode()
    reversed_doc = {key: value for key, value in reversed(base_document().items())}
    reordered = b"# operator comment\n\n" + to_toml(reversed_doc).replace("\n", "\n\n").encode()
    assert reordered.replace(b"\n", b"") != data.replace(b"\n", b"")
    assert tomllib.loads(reordered.decode()) == tomllib.loads(data.decode())
    assert policy_hash(reordered) == policy_hash(data)
    changed = to_toml(set_path(base_document(), "assets.BTC.max_per_draft", "2.6")).encode()
    assert policy_hash(changed) != policy_hash(data)


def test_policy_hash_refuses_invalid_policy() -> None:
    with pytest.raises(BadInput, match="'version'"):
        policy_hash(b"version = 3\n")


def test_hash_covers_lists_and_canonical_round_trip(tmp_path: Path) -> None:
    policy = load_policy(_example(tmp_path))
    assert policy.hash != policy_hash(FORMATS_EXAMPLE.encode())
    again = load_canonical_policy(policy.canonical)
    assert again.document == policy.document
    assert (again.allowlist, again.denylist, again.hash) == (
        policy.allowlist,
        policy.denylist,
        policy.hash,
    )
    (tmp_path / "denylist.txt").write_text(
        DENYLIST + "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq\n"
    )
    assert load_policy(tmp_path / "policy.toml").hash != policy.hash


def test_hash_without_lists_equals_policy_hash(tmp_path: Path) -> None:
    path = write_policy(tmp_path, base_document())
    assert load_policy(path).hash == policy_hash(path.read_bytes())


def test_canonical_bytes_tampered(tmp_path: Path) -> None:
    policy = load_policy(_example(tmp_path))
    with pytest.raises(BadInput, match="canonical"):
        load_canonical_policy(policy.canonical.replace(b'"2.5"', b'"25"').replace(b",", b", "))
    with pytest.raises(BadInput, match="max_per_draft"):
        load_canonical_policy(policy.canonical.replace(b'"2.5"', b'"2.5x"'))
