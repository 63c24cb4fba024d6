"""Template context shared by every page: the campaign's name and the navigation of the person's role."""

from django.conf import settings

from organiser import navigation


def campaign(request) -> dict:
    return {"CAMPAIGN_NAME": settings.CAMPAIGN_NAME}


def nav(request) -> dict:
    """The main navigation (organiser.navigation); lazy, so a page that renders no header pays nothing."""
    user = getattr(request, "user", None)
    if user is None:
        return {}

    class Lazy:
        def __iter__(self):
            return iter(navigation.links_for(user, request.path))

    return {"nav_links": Lazy(), "nav_role": lambda: navigation.role_of(user)}
