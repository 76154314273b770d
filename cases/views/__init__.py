"""Pages of the cases floor, one module per flow: filings.py (the window's filing form, the receiving court's
inbox, filing and case pages), requests.py (service and preservation requests), public.py (the litigants'
status page, no account)."""
