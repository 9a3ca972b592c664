"""SoftHSM2 harness for testers: throwaway token directories with labelled tokens."""
