"""Forms of the mediation floor's pages, one module per flow: mediations.py, sessions.py, confirmations.py."""
