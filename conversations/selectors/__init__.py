"""Reads of conversations, by sub-domain: ``segments`` (the one filter over volunteers and supporters, evaluated
as querysets), ``supporters`` (lists for organisers) and ``shift_loop`` (what is due)."""
