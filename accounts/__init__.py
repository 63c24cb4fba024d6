"""Accounts' security: API tokens stored hashed (shown once), and the audit of privilege changes."""
