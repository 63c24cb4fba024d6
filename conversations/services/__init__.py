"""Writes of conversations, by sub-domain: ``supporters`` (signing up, at the door, consents, deletion, the link
to one's data), ``segments`` (saving and changing saved filters) and ``shift_loop`` (the day-before confirm and
the after-shift feedback). Pages, the admin, the API and tasks call these; nothing else writes these rows."""
