"""Forms of the cases floor's pages, one module per flow: filings.py, requests.py."""
