"""The circuit breaker as an availability lever: a hostile vault trips it with refused
Safe drafts (built as raw JSON); signing halts until two holders reset it (CLI, journaled),
and the ordinary withdrawals, including the one that arrived while it was open, then sign
and execute on the real Safe (safe-eth-py v1.4.1 in py-evm).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli
from tests.ethereum.safe_chain import SafeWallet
from tests.pipeline.test_safe_nonces import _exported_signatures, _import, _tx
from tests.pipeline.test_safe_pipeline import safe_setup  # noqa: F401

PAYEE = "0x" + "ab" * 20
Setup = tuple[Cli, SafeWallet]


def test_a_breaker_tripped_by_refused_drafts_is_reset_by_two_holders_and_signing_resumes(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    # max_flagged is 5 per hour (tests/pipeline/data/policy.toml): six gaps trip it.
    for far in range(10, 16):
        assert _import(cli, tmp_path, deployed, far)["verdict"] == "reject"
    waiting = _import(cli, tmp_path, deployed, 0, value="5")
    assert waiting["verdict"] == "delay", waiting
    assert [r["code"] for r in waiting["reasons"]] == ["circuit_breaker_open"]
    code, refused = cli("sign", waiting["id"], "--holder", "A")
    assert code in (3, 4) and refused["refused"][0]["code"] in ("circuit_breaker_open",
                                                                 "delayed"), refused

    code, error = cli("breaker", "reset", "--holders", "A,A", "--reason", "vault junk")
    assert (code, error["error"]["code"]) == (2, "holders_not_distinct")
    code, doc = cli("breaker", "reset", "--holders", "B,C",
                    "--reason", "six nonce jumps from the vault: investigated")
    assert code == 0, doc
    entry = cli("audit", "show", "--kind", "breaker_reset")[1]["entries"][0]
    assert entry["actor"] == "B,C" and entry["data"]["reason"].startswith("six nonce jumps")

    code, signed = cli("sign", waiting["id"], "--holder", "A", "--holder", "B")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    following = _import(cli, tmp_path, deployed, 1, value="7")
    assert following["verdict"] == "approve", following
    assert cli("sign", following["id"], "--holder", "A", "--holder", "C")[0] == 0
    before = chain.balance(PAYEE)
    for nonce, draft, value in ((0, waiting, "5"), (1, following, "7")):
        chain.execute(safe, _tx(deployed, to=PAYEE, value=value, nonce=nonce),
                      _exported_signatures(cli, tmp_path, draft["id"]))
    assert chain.balance(PAYEE) - before == 12
    assert cli("audit", "verify")[1]["ok"] is True


def test_while_the_breaker_is_open_the_quorums_cancellation_still_gets_both_signatures(
    safe_setup: Setup, tmp_path: Path  # noqa: F811
) -> None:
    """Holders sign the cancellation one at a time (two sessions) while the vault's junk
    keeps signing halted: the remedy is not halted; an ordinary second signature is."""
    cli, deployed = safe_setup
    chain, safe = deployed.chain, deployed.safes["1.4.1"]
    unwanted = _import(cli, tmp_path, deployed, 0, value=str(10**18))
    assert cli("sign", unwanted["id"], "--holder", "A", "--holder", "C")[0] == 0
    ordinary = _import(cli, tmp_path, deployed, 1, value="3")
    assert cli("sign", ordinary["id"], "--holder", "A")[0] == 0
    for far in range(10, 17):  # six flagged, the seventh's screen latches the breaker
        assert _import(cli, tmp_path, deployed, far)["verdict"] == "reject"
    assert cli("breaker", "show")[1]["open"] is True

    code, cancel = cli("cancel", unwanted["id"], "--holders", "A,B", "--reason", "supersede")
    assert code == 0 and cancel["verdict"] == "approve", cancel
    assert cli("sign", cancel["id"], "--holder", "B")[0] == 0
    code, signed = cli("sign", cancel["id"], "--holder", "C")
    assert code == 0 and signed["signed"][-1]["complete"] is True, signed
    code, refused = cli("sign", ordinary["id"], "--holder", "B")
    assert (code, refused["refused"][0]["code"]) == (3, "circuit_breaker_open")

    chain.execute(safe, _tx(deployed, to=safe.address, nonce=0),
                  _exported_signatures(cli, tmp_path, cancel["id"]))
    assert safe.functions.nonce().call() == 1
