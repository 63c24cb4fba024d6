"""Floor views for the benchmarks: the same work done the bare way.

Mounted only by ``benchmarks.urls`` (the URLconf of ``benchmarks.settings``), never by the
project's own URLs, so production does not serve them.
"""

from django.contrib.contenttypes.models import ContentType
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt


def minimal(request: HttpRequest) -> HttpResponse:
    """The least a Django view can do: a small response, no template, no query."""
    return HttpResponse(b"ok", content_type="text/plain")


def one_row(request: HttpRequest) -> HttpResponse:
    """Read one row (a content type, which every migrated database has): one query, no template."""
    model = ContentType.objects.order_by("pk").values_list("model", flat=True).first()
    return HttpResponse(model or "", content_type="text/plain")


@csrf_exempt
def one_row_insert(request: HttpRequest) -> HttpResponse:
    """Insert one row (into ``bench_floor_insert``, a table the benchmark makes): one write, no template. The
    floor of a write endpoint such as the tellers' numbers (benchmarks.committee_room)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_floor_insert (at) VALUES (now()) RETURNING id")
        row_id = cursor.fetchone()[0]
    return HttpResponse(str(row_id), content_type="text/plain")
