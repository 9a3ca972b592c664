"""Key ceremony, share cards, recovery and drills: the pure core (no HSM, no state store)."""
