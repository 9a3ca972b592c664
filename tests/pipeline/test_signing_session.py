"""Several holders at one signing session: `sign ID... --holder A --holder B`."""

from __future__ import annotations

from pathlib import Path

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
