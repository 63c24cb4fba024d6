"""Template tags of election night: on the public seat page, a declaration heard at the count (confirmed by a
second organiser) before the feed has the seat."""

from django import template

from campaigns.models import Constituency
from campaigns.night import selectors

register = template.Library()


@register.inclusion_tag("campaigns/night/_public_seat.html")
def night_count_declaration(election, seat) -> dict:
    """One query: the seat's board row."""
    rows = selectors.board_rows(election=election, seats=Constituency.objects.filter(pk=seat.pk))
    return {"row": rows[0] if rows else None}
