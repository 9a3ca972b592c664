"""Key ceremony, share cards, recovery and drills: how holder keys are made and restored.

A layer above the use cases, not a pure core: run, recovery, drills and transcript log
holders in through signer.usecases, import keys through signer.hsm and journal through
signer.store. Entropy, derivation, SLIP-39 shares and typo repair (entropy, derive,
shares, share_set, share_entry, typos, memory) log in nowhere and open no database.
"""
