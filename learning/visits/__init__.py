"""Start-page visits per day, counted without cookies and without keeping IP addresses or user ids."""
