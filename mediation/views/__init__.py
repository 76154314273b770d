"""Pages of the mediation floor, one module per flow: mediations.py (my mediations, invitations waiting, a
mediation's page and its actions), sessions.py (a tribunal's week calendar, a mediator's .ics feed),
confirmations.py (judicial confirmation's page and its actions)."""
