"""The account's own API tokens: list them by prefix, make one (its key shown once, on this response only),
revoke one. Nobody reaches another account's tokens here (organiser.scope: a token's owner)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts import tokens
from accounts.models import ApiToken
from organiser import scope
from organiser.inputs import object_id


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request):
    key = None
    error = ""
    if request.method == "POST":
        if "revoke" in request.POST:
            pk = object_id(request.POST.get("revoke"))
            token = ApiToken.objects.filter(user=request.user, pk=pk).first() if pk is not None else None
            if token is None:
                raise Http404("No such token of yours.")
            tokens.token_revoke(user=request.user, token=token)
            return redirect("account_tokens")
        name = request.POST.get("name", "").strip()
        if len(name) > 100:
            error = "Give the token a name of at most 100 characters."
        else:
            _token, key = tokens.token_create(user=request.user, owner=request.user, name=name)
    mine = scope.restrict(ApiToken.objects.filter(user=request.user), request.user)
    context = {"tokens": mine, "key": key, "error": error}
    return render(request, "accounts/tokens.html", context, status=400 if error else 200)
