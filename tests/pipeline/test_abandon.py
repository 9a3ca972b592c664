"""Issue 15, item 1 (Bitcoin): what a signed draft claims is released by two holders.

A hostile vault gets a draft signed and never broadcasts it: its coins stay claimed. Two
holders abandon it (journaled with both and the reason), and a new draft spending the
same coins signs and verifies; the abandoned draft is never signed or exported again.
"""

from __future__ import annotations

from pathlib import Path

from tests.bitcoin.builders import Spend
from tests.conftest import Cli
from tests.pipeline.conftest import DATA, imported, psbt_file, registered, verify_final

COIN = [Spend((0, 3), 300_000_000)]


def _signed(cli: Cli, path: Path, holders: str = "AB") -> str:
    draft = imported(cli, path)
    assert draft["verdict"] == "approve", draft
    for holder in holders:
        code, doc = cli("sign", draft["id"], "--holder", holder)
        assert code == 0, doc
    return str(draft["id"])


def test_abandon_needs_two_distinct_holders_and_a_reason(wallet_cli: Cli, tmp_path: Path) -> None:
    draft = _signed(wallet_cli, psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 200_000))
    for holders, code_expected in (("A", "quorum_size"), ("A,A", "holders_not_distinct"),
                                   ("A,Z", "unknown_holder")):
        code, error = wallet_cli("abandon", draft, "--holders", holders, "--reason", "stuck")
        assert (code, error["error"]["code"]) == (2, code_expected), error
    code, error = wallet_cli("abandon", draft, "--holders", "A,B", "--reason", "  ")
    assert (code, error["error"]["code"]) == (2, "reason_missing")
    # A wrong PIN for one of the two: refused by the token, nothing abandoned.
    (tmp_path / "pins").write_text("A=wrong-pin\nB=wrong-pin\n")
    code, error = wallet_cli("--pin-file", str(tmp_path / "pins"), "abandon", draft,
                             "--holders", "A,B", "--reason", "stuck")
    assert code == 5, error
    assert wallet_cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"] == []
    assert wallet_cli("drafts", "--all")[1]["drafts"][0]["state"] == "signed"


def test_an_abandoned_drafts_coins_are_spent_by_a_new_draft_that_signs_and_verifies(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    wallet = registered(wallet_cli)
    first = _signed(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 1_000_000, spends=COIN))
    replacement = imported(wallet_cli, psbt_file(tmp_path, wallet, "2.psbt", 1_100_000,
                                                 spends=COIN))
    code, refused = wallet_cli("sign", replacement["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "conflict"

    code, shown = wallet_cli("abandon", first, "--preview")
    assert code == 0 and shown["drafts"][0]["broadcastable"] is True
    text = shown["drafts"][0]["text"]
    assert "if broadcast, this transaction still does: Send 0.01 BTC to bcrt1q" in text
    assert f"its inputs {shown['drafts'][0]['releases'][0][4:]} are released" in text

    code, done = wallet_cli("abandon", first, "--holders", "B,C", "--reason", "never broadcast")
    assert code == 0, done
    assert done["drafts"][0]["abandoned_by"] == ["B", "C"]
    entry = wallet_cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"][0]
    assert entry["actor"] == "B,C"
    assert (entry["data"]["draft"], entry["data"]["by"], entry["data"]["reason"]) == (
        first, ["B", "C"], "never broadcast")
    assert entry["data"]["released"] and entry["data"]["released"][0].startswith("btc:")

    # Never signed or exported again, and abandoned once only.
    code, refused = wallet_cli("sign", first, "--holder", "C")
    assert code == 3 and refused["refused"][0]["code"] == "abandoned"
    out = tmp_path / "usb-old"
    out.mkdir()
    code, refused = wallet_cli("export", first, "--out", str(out))
    assert code == 3 and refused["refused"][0]["code"] == "abandoned"
    code, error = wallet_cli("abandon", first, "--holders", "A,B", "--reason", "again")
    assert (code, error["error"]["code"]) == (3, "already_abandoned")
    listed = {d["id"]: d["state"] for d in wallet_cli("drafts", "--all")[1]["drafts"]}
    assert listed[first] == "abandoned"
    assert [d["id"] for d in wallet_cli("drafts", "--state", "abandoned")[1]["drafts"]] == [first]

    # The same coins, a new draft: signed by two holders, verified by python-bitcointx.
    code, signed = wallet_cli("sign", replacement["id"], "--holder", "A", "--holder", "C")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    out = tmp_path / "usb"
    out.mkdir()
    assert wallet_cli("export", replacement["id"], "--out", str(out))[0] == 0
    verify_final((out / f"{replacement['id']}.tx.hex").read_text().strip(),
                 out / f"{replacement['id']}.psbt")
    assert wallet_cli("audit", "verify")[1]["ok"] is True


def test_an_unsigned_draft_can_be_abandoned_and_is_never_signed(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    draft = imported(wallet_cli, psbt_file(tmp_path, registered(wallet_cli), "w.psbt", 50_000))
    code, shown = wallet_cli("abandon", draft["id"], "--preview")
    assert "never signed" in shown["drafts"][0]["text"]
    assert shown["drafts"][0]["broadcastable"] is False
    assert wallet_cli("abandon", draft["id"], "--holders", "A,C", "--reason", "dup")[0] == 0
    code, refused = wallet_cli("sign", draft["id"], "--holder", "A")
    assert code == 3 and refused["refused"][0]["code"] == "abandoned"
    # Importing it again does not revive it.
    again = imported(wallet_cli, tmp_path / "w.psbt")
    assert again["new"] is False
    assert wallet_cli("drafts", "--all")[1]["drafts"][0]["state"] == "abandoned"


def _velocity_run(cli: Cli, tmp_path: Path) -> tuple[int, dict[str, object]]:
    """2.4 BTC signed then abandoned, 2.4 BTC signed from the same coin, then 0.3 BTC:
    5.1 BTC within the hour if the abandoned draft counts (the window allows 5)."""
    wallet = registered(cli)
    first = _signed(cli, psbt_file(tmp_path, wallet, "a.psbt", 240_000_000, spends=COIN))
    assert cli("abandon", first, "--holders", "A,B", "--reason", "re-drafted")[0] == 0
    _signed(cli, psbt_file(tmp_path, wallet, "b.psbt", 239_000_000, spends=COIN))
    third = imported(cli, psbt_file(tmp_path, wallet, "c.psbt", 30_000_000,
                                    spends=[Spend((0, 4), 100_000_000)]))
    return cli("sign", third["id"], "--holder", "A")


def test_abandoned_amounts_still_count_towards_velocity_by_default(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    code, doc = _velocity_run(wallet_cli, tmp_path)
    assert code == 4 and doc["refused"][0]["code"] == "window_exceeded", doc  # type: ignore[index]
    entry = wallet_cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"][0]
    assert entry["data"]["velocity_counted"] is True


def test_the_policy_can_leave_abandoned_amounts_out_of_velocity(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text((DATA / "policy.toml").read_text()
                      + "\n[velocity]\ncount_abandoned = false\n")
    assert wallet_cli("policy", "apply", str(policy), "--holders", "A,B")[0] == 0
    code, doc = _velocity_run(wallet_cli, tmp_path)
    assert code == 0, doc
    entry = wallet_cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"][0]
    assert entry["data"]["velocity_counted"] is False


def test_the_holders_read_what_the_transactions_still_do_before_any_pin(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    """Text mode, as an operator runs it: the exposure of each draft is printed before the
    PINs are read; several drafts are abandoned in one quorum action. No PIN in argv."""
    wallet = registered(wallet_cli)
    one = _signed(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 70_000), holders="A")
    two = imported(wallet_cli, psbt_file(tmp_path, wallet, "2.psbt", 80_000,
                                         spends=[Spend((0, 4), 100_000_000)]))["id"]
    done = wallet_cli.subprocess("abandon", one, two, "--holders", "A,C", "--reason",
                                 "vault re-drafted both", json_output=False)
    assert done.returncode == 0, done.stderr
    assert f"draft {one}: signed by A only (not complete): not broadcastable" in done.stderr
    assert f"draft {two}: never signed" in done.stderr
    assert f"draft {one} abandoned by A,C" in done.stdout
    entries = wallet_cli("audit", "show", "--kind", "draft_abandoned")[1]["entries"]
    assert [e["data"]["draft"] for e in entries] == [one, two]
