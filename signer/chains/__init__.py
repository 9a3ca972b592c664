"""Chain modules: what a draft means on its chain and how it is signed."""
