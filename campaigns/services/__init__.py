"""Writes: every change to what the campaign knows goes through a service here (imports, endorsements, targets)."""
