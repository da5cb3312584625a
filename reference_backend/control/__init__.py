"""The /_posim control plane: tenants, reset/snapshot, clock, audit and traffic."""
