"""The demo appliance `make run` opens (scripts/demo-setup.py) and the tests replay.

Not part of the installed appliance: it sits outside signer/ and ceremony/, is left out of
the wheel, and no production module may import it (import-linter contract). Everything in
it is public demo data; the demo tokens' PIN is printed in the README.
"""
