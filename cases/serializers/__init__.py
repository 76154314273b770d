"""API shapes of the cases floor, one module per flow: filings.py, requests.py. Shapes every app shares
(court codes, the timeline) are the ground floor's (courts.serializers)."""
