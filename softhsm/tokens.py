"""Create a SoftHSM2 token directory with labelled, initialised tokens.

softhsm2-util only takes PINs from argv or from the terminal. argv is visible to
every user of the machine (ps, /proc), so PINs are typed into a pseudo-terminal
instead; they come from the caller's environment or a file, never from argv.
"""

from __future__ import annotations

import os
import pty
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).with_name("softhsm2.conf.template")
MODULE_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


class HarnessError(Exception):
    """SoftHSM is missing or a token could not be created."""


@dataclass(frozen=True)
class TokenSet:
    """A token directory and what a process needs to use it."""

    directory: Path
    conf: Path
    module: str
    labels: tuple[str, ...]

    def environment(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.conf), "AIRSIGN_PKCS11_MODULE": self.module}


def find_module() -> str:
    """Path of libsofthsm2.so, from $AIRSIGN_PKCS11_MODULE or the usual places."""
    configured = os.environ.get("AIRSIGN_PKCS11_MODULE")
    for candidate in ((configured,) if configured else ()) + MODULE_CANDIDATES:
        if candidate and Path(candidate).is_file():
            return candidate
    raise HarnessError(
        "SoftHSM2 is not installed (no libsofthsm2.so found); "
        "install it with: apt-get install softhsm2"
    )


def _softhsm2_util() -> str:
    tool = shutil.which("softhsm2-util")
    if tool is None:
        raise HarnessError("softhsm2-util not found; install it with: apt-get install softhsm2")
    return tool


def _run_with_typed_pins(argv: list[str], env: dict[str, str], answers: list[str]) -> str:
    """Run a command on a pseudo-terminal, typing each answer at each prompt."""
    pid, fd = pty.fork()
    if pid == 0:  # child: replace itself with softhsm2-util
        os.execvpe(argv[0], argv, env)
    output = b""
    pending = list(answers)
    try:
        while True:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if pending and output.rstrip().endswith(b":"):
                os.write(fd, pending.pop(0).encode() + b"\n")
                output += b"\n"
    finally:
        os.close(fd)
        _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise HarnessError(f"{argv[1]} failed: {text.strip().splitlines()[-1:]}")
    return text


def create_token_set(
    directory: Path, labels: list[str] | tuple[str, ...], so_pin: str, user_pin: str
) -> TokenSet:
    """Create ``directory`` with a softhsm2.conf and one initialised token per label."""
    module = find_module()
    tool = _softhsm2_util()
    tokendir = directory / "tokens"
    tokendir.mkdir(parents=True, exist_ok=True)
    conf = directory / "softhsm2.conf"
    conf.write_text(TEMPLATE.read_text().replace("@TOKENDIR@", str(tokendir)))
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    existing = subprocess.run(
        [tool, "--show-slots"], env=env, capture_output=True, text=True, check=False
    ).stdout
    for label in labels:
        if f"Label:            {label}" in existing:
            raise HarnessError(f"token {label!r} already exists in {tokendir}")
        _run_with_typed_pins(
            [tool, "--init-token", "--free", "--label", label],
            env,
            [so_pin, so_pin, user_pin, user_pin],
        )
    return TokenSet(directory, conf, module, tuple(labels))
