"""Locustfiles, one per profile; `posim load` picks one by name."""
