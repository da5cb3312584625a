"""The pure-ASGI front layer: ping, request id, traffic, faults, then lean or framework
dispatch (see layer.py and lean.py)."""
