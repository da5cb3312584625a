"""Vendor dialects: thin translations between a vendor's HTTP API and the shared engine."""
