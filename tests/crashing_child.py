"""Child for the crash tests: an `airsign` command that kills itself (SIGKILL) at a point.

argv: POINT ARG...  (the ARGs are airsign's, PINs come from AIRSIGN_PIN_<H>).
POINT is NAME:N: the process dies right after the N-th call of NAME returns:
``sync`` (export data flushed, before any final name), ``link`` (a final name linked),
``manifest`` (the export manifest written), ``hsm`` (a token made a signature),
``import_key`` (a key imported into a token), or a journal kind such as
``draft_signed`` (the entry added, its transaction not yet committed).
"""

import os
import signal
import sys
from collections import Counter
from typing import Any

from signer.cli.main import run
from signer.hsm.token import TokenSession
from signer.store import journal
from signer.usecases import exporting

point, *argv = sys.argv[1:]
name, nth = point.split(":")
calls: Counter[str] = Counter()


def crashing(real: Any, label: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls[label(*args)] += 1
        if calls[name] == int(nth):
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return call


os.link = crashing(os.link, lambda *_: "link")
os.sync = crashing(os.sync, lambda *_: "sync")
exporting.write_new = crashing(exporting.write_new, lambda *_: "manifest")
TokenSession._raw_sign = crashing(TokenSession._raw_sign, lambda *_: "hsm")  # type: ignore[method-assign]
TokenSession.import_secp256k1 = crashing(  # type: ignore[method-assign]
    TokenSession.import_secp256k1, lambda *_: "import_key")
journal.append = crashing(journal.append, lambda _conn, kind, *_: kind)
sys.exit(run(argv))
