"""CSV exports are safe to open in a spreadsheet."""

import csv
import io

import pytest

from volunteers.spreadsheet import safe_cell, write_rows


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+447911123456", "'+447911123456"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Amina Khan", "Amina Khan"),
        ("", ""),
        (None, ""),
        (-3, -3),
        (2.5, 2.5),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_written_csv_neutralises_every_cell():
    out = io.StringIO()
    write_rows(out, ["=name"], [["=cmd|' /C calc'!A0", "ok"]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["'=name"], ["'=cmd|' /C calc'!A0", "ok"]]
