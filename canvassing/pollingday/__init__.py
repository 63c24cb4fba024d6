"""Polling day, live: polling stations and their tellers, the tellers' numbers (offline, exactly once), the
committee-room board, "where next" and knock-up rounds, lifts, and votes to win from the seat's arithmetic.

Everything here is register data of one candidate's campaign (``scope_register_path``), behind the grants of
organiser.scope like the rest of the canvassing app: ``models`` (imported by canvassing.models), ``services``
(writes), ``selectors`` (reads), ``views`` and ``api`` (thin edges).
"""
