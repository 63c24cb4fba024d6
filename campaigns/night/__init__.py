"""Election night: the results board (national and per seat), expected declaration times, count agents'
results from the hall confirmed by a second user and checked against the feed later, the messages an endorsed
seat's declaration sends, cached public results pages, and the replay of the 2024 night as a growing feed.

What belongs here: what happens between the close of poll and the last declaration. The results themselves
are campaigns.models.Result, written only by the results import (the feed); this package reads them and keeps
what the night adds beside them."""
