"""Parsers and validators for each data source the campaign imports (plain Python, no database writes)."""
