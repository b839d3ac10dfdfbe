"""Reporting: what an Evaluation adds up to. summary (admissions), renewals (the register),
report (the headless report of DOMAIN §6) and exports (Excel, CSV and offline HTML files)."""
