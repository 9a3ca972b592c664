"""Bitcoin: the registered P2WSH sortedmulti wallet, PSBT v0 review, signing and finalizing."""
