"""Several holders at one signing session: `sign ID... --holder A --holder B`."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from signer.errors import HsmError
from signer.hsm.token import TokenSession
from signer.usecases.appliance import Appliance
from tests.bitcoin.builders import Spend
from tests.conftest import Cli
from tests.pipeline.conftest import DATA, imported, psbt_file, registered, verify_final


def _signed_entries(cli: Cli) -> list[tuple[str, str]]:
    _, journal = cli("audit", "show", "--kind", "draft_signed")
    return [(e["data"]["draft"], e["data"]["holder"]) for e in journal["entries"]]


def test_two_holders_sign_each_draft_in_one_pass_and_it_verifies(wallet_cli: Cli,
                                                                  tmp_path: Path) -> None:
    wallet = registered(wallet_cli)
    one = imported(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 100_000))["id"]
    two = imported(wallet_cli, psbt_file(tmp_path, wallet, "2.psbt", 200_000,
                                         spends=[Spend((0, 1), 3_000_000),
                                                 Spend((1, 2), 2_000_000)]))["id"]
    code, doc = wallet_cli("sign", one, two, "--holder", "a", "--holder", "C")
    assert code == 0 and doc["refused"] == []
    assert doc["signed"] == [{"id": one, "holder": "A", "complete": False},
                             {"id": one, "holder": "C", "complete": True},
                             {"id": two, "holder": "A", "complete": False},
                             {"id": two, "holder": "C", "complete": True}]
    assert _signed_entries(wallet_cli) == [(one, "A"), (one, "C"), (two, "A"), (two, "C")]
    out = tmp_path / "usb"
    out.mkdir()
    assert wallet_cli("export", one, two, "--out", str(out))[0] == 0
    for draft in (one, two):
        verify_final((out / f"{draft}.tx.hex").read_text().strip(), out / f"{draft}.psbt")
    assert wallet_cli("audit", "verify")[1]["ok"] is True
    # Each entry names the PSBT its signing step stored: the one exported.
    _, journal = wallet_cli("audit", "show", "--kind", "draft_signed")
    stored = {d: hashlib.sha256((out / f"{d}.psbt").read_bytes()).hexdigest() for d in (one, two)}
    assert {(e["data"]["draft"], e["data"]["signed_sha256"]) for e in journal["entries"]} == set(
        stored.items())


def test_only_holders_who_have_not_signed_sign_and_only_up_to_the_quorum(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    wallet = registered(wallet_cli)
    earlier = imported(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 100_000))["id"]
    fresh = imported(wallet_cli, psbt_file(tmp_path, wallet, "2.psbt", 100_000,
                                           spends=[Spend((0, 3), 1_000_000)]))["id"]
    assert wallet_cli("sign", earlier, "--holder", "A")[0] == 0
    code, doc = wallet_cli("sign", fresh, "--holder", "B", "--holder", "D")
    assert (code, doc["error"]["code"]) == (2, "unknown_holder")  # before any login
    assert "'D'" in doc["error"]["message"]
    code, doc = wallet_cli("sign", earlier, fresh, "--holder", "A", "--holder", "B",
                           "--holder", "C", "--holder", "B")
    assert code == 0 and doc["refused"] == []
    assert [(s["id"], s["holder"]) for s in doc["signed"]] == [
        (earlier, "B"), (fresh, "A"), (fresh, "B")]
    code, again = wallet_cli("sign", fresh, "--holder", "A", "--holder", "C")
    assert code == 3 and again["refused"][0]["code"] == "already_complete"


def test_a_breaker_tripped_mid_batch_stops_the_second_signatures_after_it(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    """A draft that passed its check before the batch began is still refused once the
    drafts signed ahead of it in the same batch have tripped the circuit breaker."""
    policy = tmp_path / "policy.toml"
    policy.write_text((DATA / "mass-policy.toml").read_text()
                      .replace("max_flagged = 100000", "max_flagged = 1"))
    assert wallet_cli("policy", "apply", str(policy), "--holders", "B,C")[0] == 0
    wallet = registered(wallet_cli)
    pending = imported(wallet_cli, psbt_file(tmp_path, wallet, "p.psbt", 10_000_000,
                                             spends=[Spend((1, 4), 20_000_000)]))["id"]
    assert wallet_cli("sign", pending, "--holder", "A")[0] == 0
    drain = [imported(wallet_cli, psbt_file(tmp_path, wallet, f"d{n}.psbt", 200_000_000,
                                            spends=[Spend((0, n), 210_000_000)],
                                            payee=f"drain{n}"))["id"]
             for n in range(5)]
    code, doc = wallet_cli("sign", *drain, pending, "--holder", "B", "--holder", "A")
    assert [s["id"] for s in doc["signed"]] == [drain[0], drain[0], drain[1], drain[1]]
    refused = {r["id"]: r["code"] for r in doc["refused"]}
    assert refused[drain[2]] == refused[drain[3]] == "window_exceeded"
    assert refused[drain[4]] == refused[pending] == "circuit_breaker_open"
    assert code == 4
    assert (pending, "B") not in _signed_entries(wallet_cli)


def test_a_token_failing_for_the_second_holder_keeps_the_first_holders_signatures(
    wallet_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wallet = registered(wallet_cli)
    drafts = [imported(wallet_cli, psbt_file(tmp_path, wallet, f"{n}.psbt", 100_000,
                                             spends=[Spend((0, n), 3_000_000),
                                                     Spend((1, n), 2_000_000)]))["id"]
              for n in range(3)]
    app = Appliance.open(wallet_cli.home)
    broken = app.token_label("B")
    app.close()
    original = TokenSession.sign_digest_later
    calls: list[str] = []

    def b_fails_on_its_second_input(  # type: ignore[no-untyped-def]
        self, key_id, digest, expected=None
    ):
        calls.append(self.label)
        if self.label == broken and calls.count(broken) % 2 == 0:
            raise HsmError("sign_failed", f"token {broken!r} did not sign")
        return original(self, key_id, digest, expected)

    monkeypatch.setattr(TokenSession, "sign_digest_later", b_fails_on_its_second_input)
    code, doc = wallet_cli("sign", *drafts, "--holder", "A", "--holder", "B")
    assert code == 5  # a token problem
    assert doc["signed"] == [{"id": d, "holder": "A", "complete": False} for d in drafts]
    assert [(r["id"], r["code"]) for r in doc["refused"]] == [(d, "sign_failed") for d in drafts]
    # B's first input was signed each time, never stored: the drafts carry A's alone.
    assert _signed_entries(wallet_cli) == [(d, "A") for d in drafts]
    for draft in drafts:
        assert wallet_cli("show", draft)[1]["state"] == "partially_signed"
    monkeypatch.setattr(TokenSession, "sign_digest_later", original)
    code, doc = wallet_cli("sign", *drafts, "--holder", "B")
    assert code == 0 and all(s["complete"] for s in doc["signed"])
    out = tmp_path / "usb"
    out.mkdir()
    assert wallet_cli("export", *drafts, "--out", str(out))[0] == 0
    for draft in drafts:
        verify_final((out / f"{draft}.tx.hex").read_text().strip(), out / f"{draft}.psbt")


def test_a_draft_spending_what_the_draft_at_the_tokens_spends_is_refused_unsigned(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    """The draft before it in the batch is still being signed, its claim not yet stored:
    the conflict is seen all the same, and its verdict is journaled once."""
    wallet = registered(wallet_cli)
    spends = [Spend((0, 3), 50_000_000)]
    one = imported(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 100_000, spends=spends))
    two = imported(wallet_cli, psbt_file(tmp_path, wallet, "2.psbt", 200_000, spends=spends))
    code, doc = wallet_cli("sign", one["id"], two["id"], "--holder", "A", "--holder", "B")
    assert code == 3
    assert [(s["id"], s["holder"]) for s in doc["signed"]] == [(one["id"], "A"),
                                                                (one["id"], "B")]
    assert [(r["id"], r["code"]) for r in doc["refused"]] == [(two["id"], "conflict")]
    _, journal = wallet_cli("audit", "show", "--kind", "verdict")
    verdicts = [e["data"]["draft"] for e in journal["entries"]]
    # one at import each, one right before the first signature (the look-ahead before
    # the PINs approved and is not journaled), one for the refused draft
    assert sorted(verdicts) == sorted([one["id"], two["id"], one["id"], two["id"]])


def test_final_transaction_of_a_draft_signed_before_it_was_stored_is_made_at_export(
    wallet_cli: Cli, tmp_path: Path
) -> None:
    wallet = registered(wallet_cli)
    draft = imported(wallet_cli, psbt_file(tmp_path, wallet, "1.psbt", 100_000))["id"]
    assert wallet_cli("sign", draft, "--holder", "C", "--holder", "A")[0] == 0
    stored = tmp_path / "stored"
    stored.mkdir()
    assert wallet_cli("export", draft, "--out", str(stored))[0] == 0
    app = Appliance.open(wallet_cli.home)
    with app.conn:  # as a home signed by an airsign without the final_tx column left it
        app.conn.execute("UPDATE drafts SET final_tx = NULL")
    app.close()
    remade = tmp_path / "remade"
    remade.mkdir()
    assert wallet_cli("export", draft, "--out", str(remade))[0] == 0
    tx = (remade / f"{draft}.tx.hex").read_text()
    assert tx == (stored / f"{draft}.tx.hex").read_text()
    verify_final(tx.strip(), remade / f"{draft}.psbt")


def _first_signature_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """The token refuses the batch's first signature (that draft ends up unsigned)."""
    original = TokenSession.sign_digest_later
    calls: list[int] = []

    def fails_once(self, key_id, digest, expected=None):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise HsmError("sign_failed", f"token {self.label!r} did not sign")
        return original(self, key_id, digest, expected)

    monkeypatch.setattr(TokenSession, "sign_digest_later", fails_once)


def _mass_policy(cli: Cli, tmp_path: Path, *edits: tuple[str, str]) -> None:
    text = (DATA / "mass-policy.toml").read_text()
    for old, new in edits:
        text = text.replace(old, new)
    policy = tmp_path / "policy.toml"
    policy.write_text(text)
    assert cli("policy", "apply", str(policy), "--holders", "B,C")[0] == 0


def test_a_draft_refused_for_one_still_at_the_tokens_is_judged_again_when_that_one_fails(
    wallet_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Three 2 BTC drafts, a 5 BTC window: the third fits only if the first is not signed.
    The first fails at the token, so the third is signed, as signing them one by one
    would have it, and no verdict of the third counts the first."""
    _mass_policy(wallet_cli, tmp_path)
    wallet = registered(wallet_cli)
    ids = [imported(wallet_cli, psbt_file(tmp_path, wallet, f"{n}.psbt", 200_000_000,
                                          spends=[Spend((0, n), 210_000_000)],
                                          payee=f"payee{n}"))["id"] for n in range(3)]
    _first_signature_fails(monkeypatch)
    code, doc = wallet_cli("sign", *ids, "--holder", "A", "--holder", "B")
    assert code == 5
    assert [(r["id"], r["code"]) for r in doc["refused"]] == [(ids[0], "sign_failed")]
    assert [(s["id"], s["holder"]) for s in doc["signed"]] == [
        (ids[1], "A"), (ids[1], "B"), (ids[2], "A"), (ids[2], "B")]
    _, journal = wallet_cli("audit", "show", "--kind", "verdict")
    assert {e["data"]["verdict"] for e in journal["entries"]} == {"approve"}


def test_a_draft_approved_for_one_still_at_the_tokens_is_judged_again_when_that_one_fails(
    wallet_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both drafts pay an address nothing was ever signed to; the first was released by
    a quorum. The second passed the first-time rule only because the first was being
    signed to it. The first fails at the token: the second is delayed, not signed."""
    _mass_policy(wallet_cli, tmp_path, ('first_time = "allow"', 'first_time = "delay"'))
    wallet = registered(wallet_cli)
    first, second = (imported(wallet_cli, psbt_file(
        tmp_path, wallet, f"{n}.psbt", 100_000_000, spends=[Spend((0, n), 110_000_000)],
        payee="fresh"))["id"] for n in range(2))
    assert wallet_cli("release", first, "--holders", "B,C", "--reason", "known payee")[0] == 0
    _first_signature_fails(monkeypatch)
    _, doc = wallet_cli("sign", first, second, "--holder", "A", "--holder", "B")
    assert doc["signed"] == []
    assert [(r["id"], r["code"]) for r in doc["refused"]] == [
        (first, "sign_failed"), (second, "first_time_destination")]
    assert _signed_entries(wallet_cli) == []
    assert wallet_cli("show", second)[1]["state"] == "delayed"
