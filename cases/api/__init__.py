"""The cases floor's API, one module per flow: filings.py (cross-region filings, the cases they register and
their parties), requests.py (service and preservation requests between courts); urls.py routes them."""
