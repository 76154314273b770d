"""The mediation floor's API, one module per flow: mediations.py (joint mediation, its invitations and
agreement), sessions.py (mediation sessions), confirmations.py (judicial confirmation); urls.py routes
them."""
