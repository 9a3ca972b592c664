{
  "purpose": "airsign-audit-export/1",
  "file": "journal.jsonl",
  "sha256": "d4e7d1f9b94aa9adaaafb5dfa7f56a21850ba12af30bcf3c804342921d8f164d",
  "holder": "A",
  "public_key": "01505a268b0e1f0131571588f0241988fa410402b6a27c7dd07746073f4797e6",
  "signature": "7e620d5cca81dcb9bbcdb253370e379ffdb0c29d5df9a19a691652e24ad6cf8b9715193391a20b7a1ee2b35d1c1680dd150899de009770acfd1af35e7aa3270c",
  "entries": 47
}
