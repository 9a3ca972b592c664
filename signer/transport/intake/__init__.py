"""Intake: files, directories and QR images in; untrusted drafts and refusals out."""

from signer.transport.intake.scan import IntakeResult, Limits, PayloadChecks, scan

__all__ = ["IntakeResult", "Limits", "PayloadChecks", "scan"]
