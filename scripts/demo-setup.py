"""Create (once) the demo: three SoftHSM tokens, a demo home, and print how to use them.

Demo PINs are public by design (they are in the README); never reuse them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from softhsm.tokens import HarnessError, create_token_set

DEMO_SO_PIN = "demo-so-pin"
DEMO_USER_PIN = "1234"
LABELS = ("holder-a", "holder-b", "holder-c")


def main(root: Path) -> int:
    root = root.resolve()
    env_file = root / "env.sh"
    if not env_file.exists():
        try:
            tokens = create_token_set(root / "softhsm", LABELS, DEMO_SO_PIN, DEMO_USER_PIN)
        except HarnessError as exc:
            print(f"demo setup: {exc}", file=sys.stderr)
            return 2
        exports = "".join(f"export {k}={v}\n" for k, v in tokens.environment().items())
        env_file.write_text(exports)
        print(f"created demo tokens {', '.join(LABELS)} in {root / 'softhsm'}")
    for line in env_file.read_text().splitlines():
        name, _, value = line.removeprefix("export ").partition("=")
        os.environ[name] = value
    home = root / "home"
    if not (home / "appliance.toml").exists():
        from demo_appliance.home import create_demo

        create_demo(home, os.environ["AIRSIGN_PKCS11_MODULE"], DEMO_USER_PIN)
        print(f"created demo home {home}")
    print(f"demo PIN for every holder token: {DEMO_USER_PIN}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo")))
