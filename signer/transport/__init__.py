"""Transport: how drafts and signatures cross the air gap (USB files, QR / BC-UR)."""
