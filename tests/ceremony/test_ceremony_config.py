"""The ceremony file: a valid file loads; a bad one is refused naming file, field, expectation."""

from __future__ import annotations

from pathlib import Path

import pytest

from ceremony.config import load_ceremony
from signer.errors import BadInput, Exit

VALID_CEREMONY = (Path(__file__).parent / "data" / "valid-ceremony.toml").read_text()

GOOD_ADDRESS = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # EIP-55 spec example


def test_valid_file_loads(ceremony_file: Path) -> None:
    plan = load_ceremony(ceremony_file)
    assert plan.wallet == "cold-2026"
    assert [h.id for h in plan.holder] == ["A", "B", "C"]
    assert plan.master_secret_bits == 256  # the documented default
    b = plan.holder_by_id("B")
    assert b.backup.group_threshold == 2 and b.backup.share_count == 4
    assert plan.holder_by_id("C").backup.passphrase is True
    assert plan.bitcoin.coin_type == 1 and plan.bitcoin.receive_keys == 20
    assert plan.ethereum is not None and plan.ethereum.safe_address is None


def test_optional_fields(tmp_path: Path) -> None:
    text = VALID_CEREMONY.replace('safe_version = "1.4.1"', f'safe_version = "1.2.0"\n'
                                  f'safe_address = "{GOOD_ADDRESS}"')
    text = text.replace('[[holder]]', 'master_secret_bits = 128\n\n[[holder]]', 1)
    text = text.replace('network = "regtest"', 'network = "mainnet"')
    path = tmp_path / "c.toml"
    path.write_text(text)
    plan = load_ceremony(path)
    assert plan.master_secret_bits == 128 and plan.master_secret_bytes == 16
    assert plan.ethereum is not None and plan.ethereum.safe_address == GOOD_ADDRESS
    assert plan.bitcoin.coin_type == 0
    no_eth = tmp_path / "d.toml"
    no_eth.write_text(VALID_CEREMONY.split("[ethereum]")[0])
    assert load_ceremony(no_eth).ethereum is None


def test_models_are_frozen(ceremony_file: Path) -> None:
    plan = load_ceremony(ceremony_file)
    with pytest.raises(ValueError):
        plan.bitcoin.account = 5


HOLDER_B_GROUP = 'groups = [ { threshold = 2, count = 3, custodians = ["Uma", "Vic", "Wes"] },'

# (what is wrong, replaced text, replacement, field path that must be named, word in expectation)
BAD_FILES = [
    ("wallet name uppercase", 'wallet = "cold-2026"', 'wallet = "Cold-2026"', "wallet", "a-z"),
    ("wallet name too long", 'wallet = "cold-2026"', f'wallet = "{"a" * 33}"', "wallet", "1-32"),
    ("unknown top-level key", 'wallet = "cold-2026"', 'wallet = "cold-2026"\ncolour = 1',
     "colour", "unknown"),
    ("threshold above count", HOLDER_B_GROUP,
     'groups = [ { threshold = 4, count = 3, custodians = ["Uma", "Vic", "Wes"] },',
     "holder[1].backup.groups[0].threshold", "threshold <= count"),
    ("threshold zero", HOLDER_B_GROUP,
     'groups = [ { threshold = 0, count = 3, custodians = ["Uma", "Vic", "Wes"] },',
     "holder[1].backup.groups[0].threshold", "1 <= threshold"),
    ("1-of-n group", HOLDER_B_GROUP,
     'groups = [ { threshold = 1, count = 3, custodians = ["Uma", "Vic", "Wes"] },',
     "holder[1].backup.groups[0].threshold", "count 1"),
    ("custodians do not match count", HOLDER_B_GROUP,
     'groups = [ { threshold = 2, count = 3, custodians = ["Uma", "Vic"] },',
     "holder[1].backup.groups[0].custodians", "3 custodian"),
    ("more than 16 shares in a group", HOLDER_B_GROUP,
     'groups = [ { threshold = 2, count = 17, custodians = ["Uma", "Vic", "Wes"] },',
     "holder[1].backup.groups[0].count", "16"),
    ("group threshold above groups", "group_threshold = 2", "group_threshold = 3",
     "holder[1].backup.group_threshold", "number of groups (2)"),
    ("more than 16 groups", 'groups = [ { threshold = 2, count = 3, custodians = ["Rita", '
     '"Sam", "Tom"] } ]', "groups = [" + ", ".join(
         f'{{ threshold = 1, count = 1, custodians = ["P{i}"] }}' for i in range(17)) + "]",
     "holder[0].backup.groups", "at most 16 entries (got 17)"),
    ("custodian twice in a holder's backup", '"Xia"', '"Uma"',
     "holder[1].backup.groups[1].custodians[0]", "distinct custodians"),
    ("passphrase not a boolean", "passphrase = true", 'passphrase = "yes"',
     "holder[2].backup.passphrase", "boolean"),
    ("holder id repeated", 'id = "C"', 'id = "B"', "holder[2].id", "once"),
    ("holder id unknown", 'id = "C"', 'id = "D"', "holder[2].id", "'A', 'B' or 'C'"),
    ("token label reused", 'token = "holder-c"', 'token = "holder-a"', "holder[2].token",
     "not used by another holder"),
    ("token label too long", 'token = "holder-c"', f'token = "{"t" * 33}"', "holder[2].token",
     "1-32"),
    ("holder name missing", 'name = "Bob Example"\n', "", "holder[1].name", "missing"),
    ("unknown key in a holder", 'name = "Bob Example"', 'name = "Bob Example"\npin = "1234"',
     "holder[1].pin", "unknown"),
    ("bad network", 'network = "regtest"', 'network = "testnet3"', "bitcoin.network", "signet"),
    ("negative account", "account = 0", "account = -1", "bitcoin.account", "greater than or equal"),
    ("account hardened", "account = 0", "account = 2147483648", "bitcoin.account", "less than"),
    ("too many receive keys", "receive_keys = 20", "receive_keys = 1001",
     "bitcoin.receive_keys", "1000"),
    ("no change keys", "change_keys = 20", "change_keys = 0", "bitcoin.change_keys", "1"),
    ("count given as string", "receive_keys = 20", 'receive_keys = "20"',
     "bitcoin.receive_keys", "integer"),
    ("missing bitcoin section", "[bitcoin]", "[bitcoin_old]", "bitcoin", "missing"),
    ("chain id zero", "chain_id = 1", "chain_id = 0", "ethereum.chain_id", "greater than 0"),
    ("unknown safe version", 'safe_version = "1.4.1"', 'safe_version = "1.5.0"',
     "ethereum.safe_version", "1.4.1"),
    ("safe address not checksummed", 'safe_version = "1.4.1"',
     f'safe_version = "1.4.1"\nsafe_address = "{GOOD_ADDRESS.lower()}"',
     "ethereum.safe_address", "EIP-55"),
    ("master secret size", 'wallet = "cold-2026"', 'wallet = "cold-2026"\nmaster_secret_bits = 192',
     "master_secret_bits", "128"),
]


@pytest.mark.parametrize(
    ("old", "new", "field", "expected"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_file_refused(tmp_path: Path, old: str, new: str, field: str, expected: str) -> None:
    assert old in VALID_CEREMONY
    path = tmp_path / "ceremony.toml"
    path.write_text(VALID_CEREMONY.replace(old, new, 1))
    with pytest.raises(BadInput) as caught:
        load_ceremony(path)
    error = caught.value
    assert error.exit == Exit.BAD_INPUT == 2
    assert error.code == "bad_ceremony_file"
    assert str(path) in error.message
    assert f"field '{field}'" in error.message
    assert expected in error.message


def test_missing_holder_named(tmp_path: Path) -> None:
    before_c = VALID_CEREMONY.split('[[holder]]\nid = "C"')[0]
    text = before_c + VALID_CEREMONY.split("passphrase = true\n")[1]
    path = tmp_path / "ceremony.toml"
    path.write_text(text)
    with pytest.raises(BadInput, match=r"field 'holder': expected holders A, B and C, missing C"):
        load_ceremony(path)


def test_every_problem_listed(tmp_path: Path) -> None:
    text = VALID_CEREMONY.replace("account = 0", "account = -1")
    text = text.replace("chain_id = 1", "chain_id = 0")
    path = tmp_path / "ceremony.toml"
    path.write_text(text)
    with pytest.raises(BadInput) as caught:
        load_ceremony(path)
    assert "'bitcoin.account'" in caught.value.message
    assert "'ethereum.chain_id'" in caught.value.message


def test_invalid_toml_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ceremony.toml"
    path.write_text(VALID_CEREMONY.replace("account = 0", "account = = 0"))
    with pytest.raises(BadInput) as caught:
        load_ceremony(path)
    assert caught.value.exit == 2
    line = VALID_CEREMONY.splitlines().index("account = 0") + 1
    assert str(path) in caught.value.message
    assert f"line {line}, column 11" in caught.value.message


@pytest.mark.parametrize("content", [None, b"wallet = \"\xff\"\n"], ids=["missing", "not-utf8"])
def test_unreadable_file(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "ceremony.toml"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(BadInput) as caught:
        load_ceremony(path)
    assert caught.value.exit == 2 and str(path) in caught.value.message


def test_documented_example_loads(tmp_path: Path) -> None:
    doc = (Path(__file__).parents[2] / "docs" / "ceremony-file.md").read_text()
    example = doc.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "ceremony.toml"
    path.write_text(example)
    plan = load_ceremony(path)
    assert plan.master_secret_bits == 256
    assert plan.holder_by_id("B").backup.share_count == 4
