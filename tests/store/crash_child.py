"""Child for the crash test: a burst of journaled actions until it is killed."""

import sys
from pathlib import Path

from signer.store import db, journal
from signer.store.db import transaction

conn = db.connect(Path(sys.argv[1]))
conn.execute("CREATE TABLE IF NOT EXISTS probe (n INTEGER PRIMARY KEY, payload TEXT)")
start = conn.execute("SELECT COALESCE(MAX(n), 0) FROM probe").fetchone()[0]
for n in range(start + 1, start + 1_000_000):
    with transaction(conn):
        conn.execute("INSERT INTO probe(n, payload) VALUES (?, ?)", (n, "x" * (n % 200)))
        journal.append(conn, "probe", "test", {"n": n})
    if n == start + 1:
        print("ready", flush=True)  # one action committed: every trial adds at least one
