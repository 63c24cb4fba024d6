"""Benchmarks: each module runs as ``python -m benchmarks.<name>`` and prints one JSON line last.

See README.md in this folder, and ``harness`` for the shared pieces (a throwaway database, a
gunicorn server, a load generator and the report line).
"""
