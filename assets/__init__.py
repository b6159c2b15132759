"""Dagster assets and asset checks, one module per stage; thin wiring around ``curation``, ``splits``, ``validation``."""
