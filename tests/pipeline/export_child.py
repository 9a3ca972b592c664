"""Child for the export crash test: `export` that kills itself (SIGKILL) at a chosen point.

argv: HOME OUT POINT ID...; POINT is ``link:N`` (right after the N-th final name is
linked), ``sync:1`` (right after the data is flushed, before any final name),
``manifest:1`` (right after the manifest is written) or ``journal:1`` (after the
journal entry is added, before its commit).
"""

import os
import signal
import sys
from pathlib import Path
from typing import Any

from signer.session import exporting
from signer.session.appliance import Appliance

point, nth = sys.argv[3].split(":")
calls = {"link": 0, "sync": 0, "manifest": 0, "journal": 0}


def crashing(name: str, real: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls[name] += 1
        if name == point and calls[name] == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call


os.link = crashing("link", os.link)
os.sync = crashing("sync", os.sync)
exporting.write_new = crashing("manifest", exporting.write_new)
exporting.journal.append = crashing("journal", exporting.journal.append)

app = Appliance.open(Path(sys.argv[1]))
exporting.export_drafts(app, sys.argv[4:], Path(sys.argv[2]), qr=True)
app.close()
print(f"not killed: {calls}", flush=True)
