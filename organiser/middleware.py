"""Middleware: staff, and anyone holding a register grant, set up multi-factor authentication (an authenticator
app) before they use the admin or any register page.

Scope already gives a grantee without an authenticator nothing of the register (organiser.scope), by any route;
this sends them to set one up instead of answering "not found"."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from organiser import scope

#: Pages that hold register data (besides the admin): the canvassing app's.
REGISTER_PREFIXES = ("/canvass/",)


class StaffMustUseMFAMiddleware:
    """Sends a staff user or a register grantee without a TOTP authenticator to set one up before any admin or
    register page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        user = request.user
        path = request.path
        admin_page = path.startswith(self.admin_prefix)
        register_page = path.startswith(REGISTER_PREFIXES)
        if (
            user.is_authenticated
            and ((admin_page and user.is_staff) or (register_page and scope.has_register_grant(user)))
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(request, "Set up an authenticator app before using the admin or the register.")
            return redirect(reverse("mfa_activate_totp") + "?next=" + path)
        return self.get_response(request)
