"""CSV that is safe to open in a spreadsheet: the one helper every export uses.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be run as a formula by
Excel, LibreOffice or Sheets (CSV injection). Such cells get a leading apostrophe, which spreadsheets show as
text and do not evaluate. Numbers are written as numbers (a negative number is not text and is left alone).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from numbers import Number

from django.http import HttpResponse

from organiser.inputs import attachment

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | Number:
    if value is None:
        return ""
    if isinstance(value, Number) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def write_rows(out, header: Sequence[str], rows: Iterable[Sequence]) -> None:
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV download (UTF-8 with a byte-order mark, so Excel reads accents right); ``filename`` may be built
    from input: it is made safe for the header (``organiser.inputs.attachment``)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(filename)
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    write_rows(response, header, rows)
    return response
