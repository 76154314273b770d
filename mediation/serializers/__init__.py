"""API shapes of the mediation floor, one module per flow: mediations.py, sessions.py, confirmations.py."""
