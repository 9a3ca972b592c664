"""airsign: an HSM-backed key-ceremony and signing appliance for exchange cold wallets."""

__version__ = "0.1.0"
