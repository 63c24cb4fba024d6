"""Template tags of conversations for pages other apps own: ``{% wants_to_hear_from_us %}`` is the doorstep's
"wants to hear from us" control (canvassing's doorstep page), with each agreement in the words recorded."""

from django import template

from conversations.services.supporters import AGREEMENTS, agreement_wording

register = template.Library()


@register.inclusion_tag("conversations/_wants_to_hear_from_us.html")
def wants_to_hear_from_us():
    return {"agreements": [(str(channel), agreement_wording(channel)) for channel in AGREEMENTS]}
