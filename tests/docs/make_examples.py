"""Regenerate the generated files in docs/examples/ by running the real appliance.

    .venv/bin/python tests/docs/make_examples.py

Throwaway SoftHSM tokens in a temporary directory; the inputs are the hand-written
examples (ceremony.toml, policy.toml, allow/deny lists, the RFC 8032 test vault key).
Every output (`--json` documents, exports, wallet files, audit export, one share card)
is what the appliance wrote; tests/docs/test_docs_examples.py checks them all.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from signer.cli.main import run  # noqa: E402
from signer.usecases.appliance import Appliance  # noqa: E402
from signer.usecases.wallet import load_wallet  # noqa: E402
from softhsm.tokens import create_token_set  # noqa: E402
from tests.docs import docs_inbox  # noqa: E402

EXAMPLES = REPO / "docs" / "examples"
PIN = "example-user-pin"
INPUTS = ("ceremony.toml", "policy.toml", "allowlist.txt", "denylist.txt", "vault-key.pem",
          "vault-key.pub.pem")
GENERATED = ("json", "export", "wallet", "audit", "drafts", "share-card-A-g1-1.txt",
             "appliance.toml", "safe-tx.json")


class Runner:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.documents: dict[str, Any] = {}

    def __call__(self, name: str | None, *args: str, expect: int = 0) -> Any:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = run(["--json", *args])
        doc = json.loads(out.getvalue())
        if code != expect:
            raise SystemExit(f"airsign {' '.join(args)}: exit {code}, expected {expect}: {doc}")
        if name:
            self.documents[name] = {"command": "airsign --json " + " ".join(args),
                                    "exit": code, "output": doc}
        return doc


def _clean() -> None:
    for name in GENERATED:
        path = EXAMPLES / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def main() -> None:
    _clean()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for name in INPUTS:
            shutil.copy(EXAMPLES / name, root / name)
        os.chdir(root)  # relative paths: the documents show what an operator types
        tokens = create_token_set(root / "softhsm", ("holder-a", "holder-b", "holder-c",
                                                     "holder-b-2"), "example-so-pin", PIN)
        os.environ.update(tokens.environment())
        for holder in "ABC":
            os.environ[f"AIRSIGN_PIN_{holder}"] = PIN
        os.environ["AIRSIGN_PASSPHRASE_C"] = "example passphrase of C"
        home = root / "home"
        os.environ["AIRSIGN_HOME"] = "home"
        cli = Runner(home)
        for name in ("shares", "ceremony-exports", "usb", "inbox", "audit"):
            (root / name).mkdir()
        cli("init", "init", "--module", tokens.module)
        cli("ceremony-run", "ceremony", "run", "ceremony.toml",
            "--shares-dir", "shares", "--export-dir", "ceremony-exports")
        cli("policy-check", "policy", "check", "policy.toml")
        cli("policy-apply", "policy", "apply", "policy.toml", "--holders", "A,B")
        cli("vault-key-add", "vault-key", "add", "vault-key.pub.pem",
            "--id", docs_inbox.VAULT_KEY_ID, "--holders", "A,B")
        cli("wallet-set-safe", "wallet", "set-safe", docs_inbox.EXAMPLE_SAFE, "--holders", "B,C")
        app = Appliance.open(home)
        wallet = load_wallet(app)
        app.close()

        drafts = Path("drafts")
        drafts.mkdir()
        btc = docs_inbox.btc_draft(wallet, "WD-000123", docs_inbox.CUSTOMER_123, 1_500_000,
                                   50_000_000, 0, 100)
        usdt = docs_inbox.usdt_draft(wallet, "WD-000124", docs_inbox.CUSTOMER_124, 25_000, 0)
        for name, draft in (("draft-bitcoin", btc), ("draft-ethereum", usdt)):
            body = json.dumps(draft, indent=1).encode()
            (drafts / f"{name}.json").write_bytes(body)
            cli(f"envelope-seal-{name}", "envelope", "seal", "--key",
                "vault-key.pem", "--id", docs_inbox.VAULT_KEY_ID,
                str(drafts / f"{name}.json"), "--out",
                str(drafts / f"envelope-{name.removeprefix('draft-')}.json"))
        eth = docs_inbox.safe_tx(wallet, 1, to=docs_inbox.CUSTOMER_126, value=str(2 * 10**18))
        (root / "safe-tx.json").write_text(json.dumps(eth, indent=2) + "\n")
        evil = docs_inbox.delegatecall_draft(wallet, "WD-000131", 2)
        (root / "inbox" / "evil.env.json").write_bytes(docs_inbox.sealed(evil))

        imported = cli("import", "import", str(drafts / "envelope-bitcoin.json"),
                       str(drafts / "envelope-ethereum.json"))
        ids = [d["id"] for d in imported["drafts"]]
        cli("import-rejected", "import", "inbox/evil.env.json", expect=3)
        cli("drafts-before-signing", "drafts")
        cli("show-bitcoin", "show", ids[0])
        cli("show-ethereum", "show", ids[1])
        cli("sign-a", "sign", *ids, "--holder", "A")
        cli("sign-c", "sign", *ids, "--holder", "C")
        cli("sign-refused", "sign", ids[0], "--holder", "B", expect=3)
        cli("export", "export", *ids, "--out", "usb", "--qr")
        cli("drafts", "drafts", "--all")
        cli("addresses", "addresses", "--change", "--count", "3")
        cli("wallet-show", "wallet", "show")
        cli("tokens", "tokens")
        cli("policy-show", "policy", "show")
        cli("breaker-show", "breaker", "show")
        cli("drill", "recover", "A", "--drill", "--shares",
            "shares/A-g1-1.txt", "shares/A-g1-3.txt")
        cli("recover", "recover", "B", "--shares",
            "shares/B-g1-1.txt", "shares/B-g1-2.txt", "shares/B-g2-1.txt",
            "--token", "holder-b-2", "--holders", "A")
        cli("drills", "drills")
        cli("error", "show", "ffff", expect=2)
        cli("audit-verify", "audit", "verify")
        cli(None, "audit", "export", "--out", "audit/journal.jsonl",
            "--holder", "A")
        cli("audit-show", "audit", "show", "--kind", "draft_signed")

        shutil.copytree(root / "usb", EXAMPLES / "export")
        shutil.copytree(root / "ceremony-exports", EXAMPLES / "wallet")
        shutil.copytree(root / "audit", EXAMPLES / "audit")
        shutil.copytree(root / "drafts", EXAMPLES / "drafts")
        shutil.copy(root / "safe-tx.json", EXAMPLES / "safe-tx.json")
        shutil.copy(root / "shares" / "A-g1-1.txt", EXAMPLES / "share-card-A-g1-1.txt")
        shutil.copy(home / "appliance.toml", EXAMPLES / "appliance.toml")
        (EXAMPLES / "json").mkdir()
        for name, doc in cli.documents.items():
            (EXAMPLES / "json" / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {EXAMPLES}")


if __name__ == "__main__":
    main()
