"""Middleware: staff must set up multi-factor authentication before they use the admin."""

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse


class StaffMustUseMFAMiddleware:
    """Sends a staff user without a TOTP authenticator to set one up before any admin page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        user = request.user
        if (
            request.path.startswith(self.admin_prefix)
            and user.is_authenticated
            and user.is_staff
            and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        ):
            messages.warning(request, "Set up an authenticator app before using the admin.")
            return redirect(reverse("mfa_activate_totp") + "?next=" + request.path)
        return self.get_response(request)
