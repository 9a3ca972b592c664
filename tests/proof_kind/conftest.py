"""A home whose ceremony ran (pools of 10 + 10 keys), with the test policy plus a [proofs]
table, and a registered Safe deployed from the real bytecode with its fallback handler."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parents[1]
for folder in ("ethereum", "proof_eth"):
    if str(TESTS / folder) not in sys.path:
        sys.path.append(str(TESTS / folder))

from proof_chain import ProofChain  # noqa: E402
from web3.contract import Contract  # noqa: E402

from signer.usecases.appliance import Appliance  # noqa: E402
from signer.usecases.wallet import load_wallet  # noqa: E402
from tests.conftest import Cli  # noqa: E402
from tests.pipeline.conftest import DATA as PIPELINE_DATA  # noqa: E402

DATA = Path(__file__).with_name("data")
PREFIX = "ACME Exchange proof of reserves "
MESSAGE = PREFIX + "2026-12-01: ACME controls these addresses and this Safe"


class ProofHome:
    """The CLI on the home, the chain and the registered Safe."""

    def __init__(self, cli: Cli, chain: ProofChain, safe: Contract, version: str) -> None:
        self.cli, self.chain, self.safe, self.version = cli, chain, safe, version

    def wallet_addresses(self, receive: int, change: int) -> list[str]:
        app = Appliance.open(self.cli.home)
        try:
            wallet = load_wallet(app).bitcoin
        finally:
            app.close()
        return ([wallet.address(0, i) for i in range(receive)]
                + [wallet.address(1, i) for i in range(change)])

    def request(self, addresses: list[str], message: str = MESSAGE,
                safe: bool = True) -> dict[str, Any]:
        doc: dict[str, Any] = {"type": "proof-of-reserves", "message": message,
                               "bitcoin": {"addresses": addresses}}
        if safe:
            doc["ethereum"] = {"safe": self.safe.address, "chainId": self.chain.chain_id}
        return doc


def write(path: Path, doc: dict[str, Any]) -> Path:
    path.write_text(json.dumps(doc, ensure_ascii=False))
    return path


def make_home(cli: Cli, tmp_path: Path, version: str) -> ProofHome:
    shares, exports = tmp_path / "shares", tmp_path / "exports"
    shares.mkdir()
    exports.mkdir()
    ceremony = tmp_path / "ceremony.toml"
    ceremony.write_text((DATA / "ceremony.toml").read_text().replace(
        'safe_version = "1.4.1"', f'safe_version = "{version}"'))
    code, doc = cli("ceremony", "run", str(ceremony), "--shares-dir", str(shares),
                    "--export-dir", str(exports))
    assert code == 0, doc
    policy = tmp_path / "policy.toml"
    policy.write_text((PIPELINE_DATA / "policy.toml").read_text()
                      + (DATA / "proofs.toml").read_text())
    code, doc = cli("policy", "apply", str(policy), "--holders", "A,B")
    assert code == 0, doc
    app = Appliance.open(cli.home)
    owners = list(load_wallet(app).owners.values())
    app.close()
    chain = ProofChain()
    safe = chain.create_proof_safe(version, owners)
    code, doc = cli("wallet", "set-safe", safe.address, "--holders", "B,C")
    assert code == 0, doc
    return ProofHome(cli, chain, safe, version)


@pytest.fixture
def proof_home(cli: Cli, pins: str, tmp_path: Path) -> ProofHome:
    return make_home(cli, tmp_path, "1.4.1")
