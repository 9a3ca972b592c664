"""PKCS#11 gateway: the only code that talks to an HSM."""
