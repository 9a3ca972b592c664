"""Reading a file the operator named on the command line or in a wizard.

Outside the layers (like signer.errors): the CLI's PIN files, the store's config, the
chains' keys and the ceremony's cards all read through it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from signer.errors import BadInput


def read_small_file(path: Path, limit: int, code: str, where: str) -> bytes:
    """The bytes of a file the operator named (a key, a draft, a policy, a ceremony file,
    a share card): a regular file of at most ``limit`` bytes, else BadInput ``code``.

    Read up to ``limit + 1`` bytes rather than trusting its size: /dev/zero reports 0 and
    never ends; a FIFO is refused before it could block.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise BadInput(code, f"{where}: cannot read {path}: expected a readable file "
                       f"({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise BadInput(code, f"{where}: {path} is not a regular file")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise BadInput(code, f"{where}: cannot read {path} ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise BadInput(code, f"{where}: {path} is larger than {limit} bytes")
    return data
