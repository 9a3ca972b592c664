"""Issue 4 acceptance through `airsign ceremony run`, checked with code we did not write."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from pathlib import Path

import pytest
import shamir_mnemonic
from embit import bip32
from embit.descriptor import Descriptor
from embit.networks import NETWORKS

from signer.errors import HsmError
from signer.hsm.gateway import Gateway
from softhsm.tokens import TokenSet, create_token_set
from tests.conftest import KILLED, Cli, killed

VALID = Path(__file__).resolve().parents[1] / "ceremony" / "data" / "valid-ceremony.toml"
PASSPHRASE = "custodian passphrase"
# Shares that satisfy each holder's scheme in valid-ceremony.toml.
ENOUGH = {"A": ["A-g1-1", "A-g1-3"], "B": ["B-g1-2", "B-g1-3", "B-g2-1"],
          "C": ["C-g1-1", "C-g1-4", "C-g1-5"]}


@pytest.fixture
def ceremony(cli: Cli, pins: str, tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> tuple[Cli, Path, Path, dict[str, object]]:
    monkeypatch.setenv("AIRSIGN_PASSPHRASE_C", PASSPHRASE)
    shares, exports = tmp_path / "shares", tmp_path / "exports"
    shares.mkdir()
    exports.mkdir()
    code, summary = cli("ceremony", "run", str(VALID), "--shares-dir", str(shares),
                        "--export-dir", str(exports))
    assert code == 0, summary
    return cli, shares, exports, summary


def _card_words(path: Path) -> str:
    """The numbered words of a card (`01. word`), read without airsign's own parser."""
    return " ".join(m[1] for m in re.finditer(r"^\s*\d\d\. ([a-z]+)\s*$", path.read_text(),
                                              re.MULTILINE))


def _seed(shares: Path, holder: str) -> bytes:
    mnemonics = [_card_words(shares / f"{name}.txt") for name in ENOUGH[holder]]
    passphrase = PASSPHRASE.encode() if holder == "C" else b""
    return shamir_mnemonic.combine_mnemonics(mnemonics, passphrase)


def test_share_cards_rebuild_every_registered_xpub_and_the_exports_agree(ceremony) -> None:  # type: ignore[no-untyped-def]
    cli, shares, exports, _ = ceremony
    _, wallet = cli("wallet", "show")
    descriptor_text = (exports / "cold-2026.descriptor.txt").read_text().splitlines()[1]
    for holder in wallet["holders"]:
        root = bip32.HDKey.from_seed(_seed(shares, holder["id"]),
                                     version=NETWORKS["test"]["xprv"])
        account = root.derive("m/48h/1h/0h/2h").to_public()
        assert account.to_base58(version=NETWORKS["test"]["xpub"]) == holder["xpub"]
        assert root.my_fingerprint.hex() == holder["fingerprint"]
        assert holder["xpub"] in descriptor_text
    receive = Descriptor.from_string(descriptor_text.split("#")[0])
    first = receive.derive(0).address(NETWORKS["regtest"])
    bsms = (exports / "cold-2026.bsms").read_text().splitlines()
    _, addresses = cli("addresses", "--count", "1")
    assert first == bsms[3] == addresses["bitcoin"]["receive"][0]


def test_tokens_hold_exactly_the_expected_keys(ceremony, token_set: TokenSet,  # type: ignore[no-untyped-def]
                                              user_pin: str) -> None:
    cli, shares, _, _ = ceremony
    _, wallet = cli("wallet", "show")
    for holder in wallet["holders"]:
        root = bip32.HDKey.from_seed(_seed(shares, holder["id"]),
                                     version=NETWORKS["test"]["xprv"])
        expected = {f"m/48'/1'/0'/2'/{b}/{i}": root.derive(f"m/48h/1h/0h/2h/{b}/{i}")
                    for b in (0, 1) for i in range(20)}
        expected["m/44'/60'/0'/0/0"] = root.derive("m/44h/60h/0h/0/0")
        listing = subprocess.run(  # OpenSC's client, with the throwaway test PIN
            ["pkcs11-tool", "--module", token_set.module, "--token-label", holder["token"],
             "--login", "--pin", user_pin, "--list-objects"],
            capture_output=True, text=True, check=True, env=dict(os.environ)).stdout
        privates = _objects(listing, "Private Key Object; EC\n")
        assert {p["label"] for p in privates} == set(expected)
        for item in privates:
            key = expected[item["label"]]
            assert item["ID"] == hashlib.new(
                "ripemd160", hashlib.sha256(key.to_public().sec()).digest()).hexdigest()
            assert item["Usage"] == "sign"
            assert "sensitive" in item["Access"] and "extractable" not in item["Access"]
        assert len(_objects(listing, "Private Key Object; EC_EDWARDS")) <= 1  # audit key


def _objects(listing: str, title: str) -> list[dict[str, str]]:
    found = []
    for chunk in listing.split(title)[1:]:
        fields = {}
        for line in chunk.splitlines():
            if not line.startswith(" "):
                break
            name, _, value = line.strip().partition(":")
            fields[name.strip()] = value.strip()
        found.append(fields)
    return found


def test_a_holders_token_cannot_sign_for_another_holder(ceremony, token_set: TokenSet,  # type: ignore[no-untyped-def]
                                                       user_pin: str) -> None:
    gateway = Gateway(token_set.module)
    a, b = gateway.login("holder-a", user_pin), gateway.login("holder-b", user_pin)
    try:
        for key_id in b.keys():  # noqa: SIM118 - TokenSession.keys() is not a dict
            with pytest.raises(HsmError) as refused:
                a.sign_digest(key_id, bytes(32))
            assert refused.value.code == "key_absent"
    finally:
        a.logout()
        b.logout()


def test_a_second_ceremony_is_refused_without_new_wallet(ceremony, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli = ceremony[0]
    code, doc = cli("ceremony", "run", str(VALID), "--shares-dir", str(tmp_path),
                    "--export-dir", str(tmp_path))
    assert code == 2 and doc["error"]["code"] == "wallet_exists"


def _mutate(old: str, new: str, count: int = 1) -> str:
    text = VALID.read_text()
    assert old in text, old
    return text.replace(old, new, count)


BAD = [
    ("wallet-name", lambda: _mutate('wallet = "cold-2026"', 'wallet = "Cold 2026!"'), "wallet"),
    ("unknown-top", lambda: VALID.read_text() + '\ncolour = "blue"\n', "colour"),
    ("unknown-holder-key", lambda: _mutate('name = "Alice Example"',
                                           'name = "Alice Example"\nemail = "a@x"'), "email"),
    ("two-holders", lambda: VALID.read_text().split("[[holder]]\nid = \"C\"")[0]
     + VALID.read_text().split("passphrase = true")[1], "holder"),
    ("duplicate-id", lambda: _mutate('id = "B"', 'id = "A"'), "holder"),
    ("duplicate-token", lambda: _mutate('token = "holder-b"', 'token = "holder-a"'), "token"),
    ("threshold-above-count", lambda: _mutate("threshold = 2, count = 3, custodians = "
                                              '["Rita"', "threshold = 4, count = 3, "
                                              'custodians = ["Rita"'), "threshold"),
    ("one-of-many", lambda: _mutate("threshold = 2, count = 3, custodians = [\"Rita\"",
                                    "threshold = 1, count = 3, custodians = [\"Rita\""),
     "threshold"),
    ("custodian-count", lambda: _mutate('["Rita", "Sam", "Tom"]', '["Rita", "Sam"]'),
     "custodians"),
    ("group-threshold", lambda: _mutate("group_threshold = 1", "group_threshold = 3"),
     "group_threshold"),
    ("seventeen-shares", lambda: _mutate(
        'threshold = 3, count = 5, custodians = ["Yan", "Zoe", "Ann", "Ben", "Cy"]',
        "threshold = 3, count = 17, custodians = ["
        + ", ".join(f'"c{n}"' for n in range(17)) + "]"), "count"),
    ("network", lambda: _mutate('network = "regtest"', 'network = "moonnet"'), "network"),
    ("receive-zero", lambda: _mutate("receive_keys = 20", "receive_keys = 0"), "receive_keys"),
    ("account-negative", lambda: _mutate("account = 0", "account = -1"), "account"),
    ("chain-zero", lambda: _mutate("chain_id = 1", "chain_id = 0"), "chain_id"),
    ("safe-version", lambda: _mutate('safe_version = "1.4.1"', 'safe_version = "9.9.9"'),
     "safe_version"),
    ("secret-bits", lambda: 'master_secret_bits = 100\n' + VALID.read_text(),
     "master_secret_bits"),
    ("not-toml", lambda: "wallet = [unclosed\n", "line"),
]


def _token_state(token_set: TokenSet) -> list[tuple[str, int, int]]:
    return sorted((str(p.relative_to(token_set.directory)), p.stat().st_size,
                   p.stat().st_mtime_ns) for p in (token_set.directory / "tokens").rglob("*"))


@pytest.mark.parametrize("name,text,field", BAD, ids=[b[0] for b in BAD])
def test_bad_ceremony_files_touch_no_token(cli: Cli, pins: str, token_set: TokenSet,
                                           tmp_path: Path, name: str, text, field: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"{name}.toml"
    path.write_text(text())
    before = _token_state(token_set)
    code, doc = cli("ceremony", "run", str(path), "--shares-dir", str(tmp_path),
                    "--export-dir", str(tmp_path))
    assert code == 2, doc
    message = doc["error"]["message"]
    assert str(path) in message and field in message, message
    assert _token_state(token_set) == before
    _, journal = cli("audit", "show", "--kind", "ceremony_started")
    assert journal["entries"] == []


def test_a_new_wallet_replaces_the_registered_one_on_fresh_tokens(  # type: ignore[no-untyped-def]
    ceremony, token_set: TokenSet, user_pin: str, tmp_path: Path
) -> None:
    cli = ceremony[0]
    _, old = cli("wallet", "show")
    create_token_set(token_set.directory, ["holder-a2", "holder-b2", "holder-c2"],
                     "so-pin-for-tests", user_pin)
    text = VALID.read_text().replace('wallet = "cold-2026"', 'wallet = "cold-2027"')
    for label in ("holder-a", "holder-b", "holder-c"):
        text = text.replace(f'token = "{label}"', f'token = "{label}2"')
    plan = tmp_path / "second.toml"
    plan.write_text(text)
    shares, exports = tmp_path / "shares2", tmp_path / "exports2"
    shares.mkdir()
    exports.mkdir()
    Gateway(token_set.module).rescan()
    code, doc = cli("ceremony", "run", str(plan), "--shares-dir", str(shares),
                    "--export-dir", str(exports), "--new-wallet")
    assert code == 0, doc
    _, new = cli("wallet", "show")
    assert new["name"] == "cold-2027" and new["descriptor"] != old["descriptor"]
    assert [h["token"] for h in new["holders"]] == ["holder-a2", "holder-b2", "holder-c2"]
    _, tokens = cli("tokens")
    assert [h["token"] for h in tokens["holders"]] == ["holder-a2", "holder-b2", "holder-c2"]
    assert cli("audit", "verify")[1]["ok"] is True


@pytest.mark.parametrize("point", ["import_key:50", "ceremony_completed:1"])
def test_a_ceremony_killed_half_way_registers_nothing_and_needs_fresh_tokens(
    cli: Cli, pins: str, token_set: TokenSet, user_pin: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, point: str,
) -> None:
    """Power lost while B's keys go in, or just before the wallet's registration commits."""
    monkeypatch.setenv("AIRSIGN_PASSPHRASE_C", PASSPHRASE)
    dirs = [tmp_path / name for name in ("s1", "e1", "s2", "e2", "s3", "e3")]
    for directory in dirs:
        directory.mkdir()

    def ceremony_args(plan: Path, run: int, *extra: str) -> tuple[str, ...]:
        return ("ceremony", "run", str(plan), "--shares-dir", str(dirs[2 * run]),
                "--export-dir", str(dirs[2 * run + 1]), *extra)

    assert killed(cli.home, point, *ceremony_args(VALID, 0)) == KILLED
    code, doc = cli("wallet", "show")
    assert code == 2 and doc["error"]["code"] == "no_wallet"
    _, completed = cli("audit", "show", "--kind", "ceremony_completed")
    assert completed["entries"] == []
    code, doc = cli(*ceremony_args(VALID, 1))
    assert code == 2 and doc["error"]["code"] == "token_not_empty"

    create_token_set(token_set.directory, ["holder-a2", "holder-b2", "holder-c2"],
                     "so-pin-for-tests", user_pin)
    Gateway(token_set.module).rescan()
    fresh = tmp_path / "fresh.toml"
    fresh.write_text(VALID.read_text().replace('token = "holder-a"', 'token = "holder-a2"')
                     .replace('token = "holder-b"', 'token = "holder-b2"')
                     .replace('token = "holder-c"', 'token = "holder-c2"'))
    code, doc = cli(*ceremony_args(fresh, 2))
    assert code == 0, doc
    assert cli("wallet", "show")[1]["holders"][1]["token"] == "holder-b2"
    assert cli("audit", "verify")[1]["ok"] is True
