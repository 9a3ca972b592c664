"""Appliance state: the home directory, SQLite state and the hash-chained audit journal."""
