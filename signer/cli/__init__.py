"""The scriptable command line: the contract in ARCHITECTURE.md."""
