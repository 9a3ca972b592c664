{
  "purpose": "airsign-audit-export/1",
  "file": "journal.jsonl",
  "sha256": "776832e51025f136d4ac5c79f04ef4bc991d456fdd954da45bdffacfbb55f727",
  "holder": "A",
  "public_key": "a12a9f305404f08659f87b57252e4e0eb99a83892a4563089f19bd480460ca33",
  "signature": "b63af1d1bc1576886089568907436707b64308fb92b5b92fef1c91505640eb165f3918597400f8679b0396fb7f3a60cff8c3793c06972d3290b821602d48250c",
  "entries": 45
}
