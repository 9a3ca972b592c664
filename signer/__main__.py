"""`python -m signer` is `airsign`."""

from signer.cli.main import main

main()
