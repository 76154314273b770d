"""Every write to cases and filings goes through a function here (STYLE.md, "Writes go through services")."""
