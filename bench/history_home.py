"""Homes that hold a long history, built fast for bench_history.py.

A base home is made the ordinary way (ceremony in SoftHSM tokens, policy, Safe, real
drafts imported, signed and exported), so everything the measured commands decode or
verify is real. Its history is then lengthened by direct SQL inserts of well-formed
rows, as a year of a busy exchange would have left them: journal entries on a valid
hash chain (with a checkpoint signed by holder A's audit key in the token every
CHECKPOINT_EVERY entries), drafts copied from the real ones (mostly exported, one in a
hundred rejected), their signatures and claims, and velocity-ledger rows spread over
the past year.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from bench._tokens import BENCH_PIN
from ceremony.run import CeremonyOptions, run_ceremony
from signer.canonical import canonical_json
from signer.chains.bitcoin.drafting import Spend, build_psbt
from signer.chains.bitcoin.psbt_file import psbt_bytes
from signer.risk.ledger import to_micros
from signer.store.audit import checkpoint_message
from signer.store.journal import _chained, head
from signer.store.schema import plain_decimal
from signer.usecases import governance
from signer.usecases.appliance import Appliance
from signer.usecases.exporting import export_drafts
from signer.usecases.intake import import_paths
from signer.usecases.logins import ensure_audit_key, login
from signer.usecases.policy import apply_policy
from signer.usecases.sign_drafts import sign_drafts
from signer.usecases.wallet import load_wallet

ROOT = Path(__file__).resolve().parent
CEREMONY = ROOT.parent / "tests" / "pipeline" / "data" / "ceremony.toml"
CHECKPOINT_EVERY = 10_000
ENTRIES_PER_DRAFT = 5  # imported, verdict, signed by A, signed by B, exported
BATCH = 50_000
AMOUNT = Decimal("0.0123")
POLICY = """version = 1
default_delay = "24h"
accept_plain_drafts = true
[assets.BTC]
chain = "bitcoin"
max_per_draft = "100"
windows = [ { period = "1h", max_total = "100000", max_count = 100000 },
            { period = "24h", max_total = "100000", max_count = 100000 },
            { period = "7d", max_total = "1000000", max_count = 1000000 } ]
[assets.ETH]
chain = "ethereum"
max_per_draft = "100"
windows = [ { period = "24h", max_total = "100000", max_count = 100000 } ]
[destinations]
first_time = "allow"
[anomaly]
median_factor = 1000
burst_count = 100000
burst_period = "10m"
[circuit_breaker]
max_flagged = 100000
period = "1h"
"""


def base_home(work: Path, module: str) -> tuple[Path, list[str]]:
    """A real home with open drafts (returned: approved ids) and one exported draft."""
    home = work / "base" / "home"
    app = Appliance.create(home, module)
    for name in ("shares", "exports", "inbox", "usb"):
        (work / "base" / name).mkdir()
    run_ceremony(app, CEREMONY, CeremonyOptions(work / "base" / "shares",
                                                work / "base" / "exports"),
                 lambda _h: BENCH_PIN, lambda _h: b"")
    (work / "base" / "policy.toml").write_text(POLICY)
    pin = lambda _h: BENCH_PIN  # noqa: E731 - the bench's one PIN
    apply_policy(app, work / "base" / "policy.toml", "A,B", pin)
    governance.set_safe(app, "0x" + "5a" * 20, "A,B", pin)
    wallet = load_wallet(app)
    inbox = work / "base" / "inbox"
    for n in range(12):
        psbt = build_psbt(wallet.bitcoin, [Spend((0, n), 10_000_000)],
                          [(b"\x00\x14" + bytes([n + 1]) * 20, 1_000_000)],
                          change=((1, n), 8_990_000), salt=n)
        (inbox / f"{n:04}.psbt").write_bytes(base64.b64encode(psbt_bytes(psbt)))
    zero = "0x" + "00" * 20
    for n in range(3):
        (inbox / f"safe-{n}.json").write_text(json.dumps({
            "safe": wallet.safe, "chainId": wallet.chain_id,
            "safeVersion": wallet.safe_version, "to": "0x" + "ab" * 20, "value": str(10**15),
            "data": "0x", "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
            "gasToken": zero, "refundReceiver": zero, "nonce": n}))
    ids = [d["id"] for d in import_paths(app, [inbox]).drafts if d["verdict"] == "approve"]
    sign_drafts(app, ids[:2], ["A", "B"], pin)  # one to export, one signed and waiting
    export_drafts(app, ids[:1], work / "base" / "usb", qr=False)
    sign_drafts(app, ids[2:4], ["A"], pin)  # partially signed
    app.close()
    return home, ids[4:]


def grown_home(base: Path, into: Path, entries: int, drafts: int, ledger: int) -> Path:
    """A copy of ``base`` whose journal reaches ``entries`` entries, with ``drafts`` more
    drafts and ``ledger`` velocity-ledger rows over the past year."""
    home = into / "home"
    shutil.copytree(base, home)
    app = Appliance.open(home)
    session = login(app, "A", BENCH_PIN)
    try:
        key_id = ensure_audit_key(app, "A", session)
        public_key = session.key(key_id).public_key.hex()
        conn = app.conn
        # A large page cache for the build only: random ids make random index inserts.
        conn.execute("PRAGMA cache_size = -1000000")
        _grow(conn, entries, drafts, lambda seq, digest: {
            "holder": "A", "head_seq": seq, "head_hash": digest, "public_key": public_key,
            "signature": session.sign_ed25519(key_id, checkpoint_message(seq, digest)).hex()})
        _ledger(conn, ledger)
    finally:
        session.logout()
        app.close()
    return home


@dataclass
class Rows:
    """Rows waiting for the next executemany (BATCH journal entries at a time)."""

    journal: list[tuple[object, ...]] = field(default_factory=list)
    drafts: list[tuple[object, ...]] = field(default_factory=list)
    signatures: list[tuple[object, ...]] = field(default_factory=list)
    claims: list[tuple[str, str]] = field(default_factory=list)

    def flush(self, conn: sqlite3.Connection) -> None:
        conn.executemany("INSERT INTO journal VALUES (?,?,?,?,?,?,?)", self.journal)
        conn.executemany(
            "INSERT INTO drafts(id, chain, payload, source, envelope, summary, verdict, "
            "reasons, not_before, released, complete, exported, imported_seq, final_tx) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", self.drafts)
        conn.executemany("INSERT INTO draft_signatures VALUES (?,?,?,?)", self.signatures)
        conn.executemany("INSERT INTO claims VALUES (?,?)", self.claims)
        for pending in (self.journal, self.drafts, self.signatures, self.claims):
            pending.clear()


def _template(conn: sqlite3.Connection, chain: str) -> sqlite3.Row:
    return conn.execute("SELECT * FROM drafts WHERE chain = ? ORDER BY complete DESC, "
                        "imported_seq LIMIT 1", (chain,)).fetchone()


def _grow(conn: sqlite3.Connection, entries: int, drafts: int,
          checkpoint: Callable[[int, str], dict[str, object]]) -> None:
    seq, digest = head(conn)
    templates = {chain: _template(conn, chain) for chain in ("bitcoin", "ethereum")}
    safe = json.loads(templates["ethereum"]["summary"]).get("safe") or "0x" + "5a" * 20
    start = datetime.now(UTC) - timedelta(days=365)
    step = timedelta(days=365) / max(entries, 1)
    rows = Rows()
    made = 0

    def append(kind: str, actor: str, data: dict[str, object]) -> int:
        nonlocal seq, digest
        time = (start + step * (seq + 1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = canonical_json(data)
        seq += 1
        new = _chained(digest, seq, time, kind, actor, body)
        rows.journal.append((seq, time, kind, actor, body.decode(), digest, new))
        digest = new
        return seq

    conn.execute("BEGIN IMMEDIATE")
    while seq < entries - 1:  # the last entry: the session that ends the history
        if seq % CHECKPOINT_EVERY == 0:
            append("checkpoint", "A", checkpoint(seq, digest))
            continue
        if made >= drafts or entries - seq <= ENTRIES_PER_DRAFT:
            append("login_ok", "A", {"holder": "A", "token": "holder-a"})
        else:
            _one_draft(made, templates, safe, append, rows)
            made += 1
        if len(rows.journal) >= BATCH:
            rows.flush(conn)
    append("checkpoint", "A", checkpoint(seq, digest))
    rows.flush(conn)
    conn.execute("COMMIT")


def _one_draft(n: int, templates: dict[str, sqlite3.Row], safe: str,
               append: Callable[[str, str, dict[str, object]], int], rows: Rows) -> None:
    chain = "ethereum" if n % 5 == 0 else "bitcoin"
    row = templates[chain]
    draft_id = hashlib.sha256(b"bench-draft-%d" % n).hexdigest()[:16]
    rejected = n % 100 == 50
    imported = append("draft_imported", "operator",
                      {"draft": draft_id, "chain": chain, "source": f"inbox/{n}"})
    append("verdict", "appliance", {"draft": draft_id, "verdict": "reject" if rejected
                                    else "approve", "codes": [], "not_before": None})
    if rejected:
        verdict, complete, exported = "reject", 0, 0
    else:
        verdict, complete, exported = "approve", 1, 1
        for holder in "AB":
            signed = append("draft_signed", holder, {"draft": draft_id, "holder": holder})
            rows.signatures.append((draft_id, holder, "00" * 64, signed))
        append("drafts_exported", "operator", {"drafts": [draft_id]})
    rows.drafts.append((draft_id, chain, row["payload"], f"inbox/{n}", row["envelope"],
                       row["summary"], verdict, "[]", None, 0, complete, exported, imported,
                       row["final_tx"]))
    claim = (f"safe:1:{safe.lower()}:{1000 + n}" if chain == "ethereum"
             else f"btc:{hashlib.sha256(draft_id.encode()).hexdigest()}:0")
    rows.claims.append((claim, draft_id))


def _ledger(conn: sqlite3.Connection, rows: int) -> None:
    """Signed amounts spread evenly over the past year (newest a minute ago)."""
    now = to_micros(datetime.now(UTC)) - 60_000_000
    step = 365 * 86_400_000_000 // max(rows, 1)
    running = {"BTC": (Decimal(0), 0), "ETH": (Decimal(0), 0)}

    def oldest_first() -> Iterator[tuple[str, str, int, str, int]]:
        for i in range(rows - 1, -1, -1):
            asset = "ETH" if i % 5 == 0 else "BTC"
            total, count = running[asset]
            running[asset] = total + AMOUNT, count + 1
            yield f"h{i}", asset, now - i * step, plain_decimal(total + AMOUNT), count + 1

    conn.execute("BEGIN IMMEDIATE")
    # What record_signed writes: each row with its asset's running total and count.
    conn.executemany("INSERT INTO risk_signed (draft_id, asset, amount, signed_at, "
                     "running_total, running_count) VALUES (?, ?, '0.0123', ?, ?, ?)",
                     oldest_first())
    conn.executemany("INSERT INTO risk_signed_destination VALUES (?, ?)",
                     ((f"bcrt1q{i:038d}", f"h{i}") for i in range(rows)))
    conn.executemany("INSERT INTO risk_imported VALUES (?, ?)",
                     ((f"h{i}", now - i * step) for i in range(0, rows, 5)))
    conn.execute("COMMIT")
