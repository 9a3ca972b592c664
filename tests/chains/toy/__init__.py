"""A toy third kind of draft: everything it needs is in this folder (issue 16)."""
