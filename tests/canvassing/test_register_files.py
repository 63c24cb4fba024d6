"""Registers as spreadsheets: an .xlsx (written by openpyxl) and an .ods (written by odfpy) import as their CSV
would, all or nothing, with every bad row named by the row the spreadsheet shows; an image, a PDF, an old .xls,
a Word file or a ZIP is refused, on the upload form and by the service, with what it is."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from canvassing import register_files
from canvassing.models import Elector, GrantLevel, RegisterImportJob
from canvassing.register_import import register_import
from organiser.imports import ImportRejected
from tests.canvassing.conftest import grant
from tests.conftest import logged_in_client
from volunteers.models import Role

pytestmark = pytest.mark.django_db

HEADER = ["Elector Number Prefix", "Elector Number", "Elector Number Suffix", "Elector Markers", "Elector DOB",
          "Elector Name", "PostCode", "Address1", "Address2"]  # fmt: skip
ROWS = [
    ["KA", 1, 0, None, None, "Khan, Aisha", "IG1 4AA", "1 Cranbrook Road", "Ilford"],
    ["KA", 2, 0, "G", dt.date(2009, 3, 14), "Khan, Omar", "IG1 4AA", "1 Cranbrook Road", "Ilford"],
    ["KA", 3, 1, None, None, "Smith, Ruth", "IG1 4AB", "3 Cranbrook\nRoad", "Ilford"],  # two-line address cell
]


def xlsx(rows, header=HEADER) -> io.BytesIO:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Notes").append(["not part of the register"])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def ods(rows, header=HEADER) -> io.BytesIO:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    table = Table(name="Register")
    for values in [header, *rows]:
        row = TableRow()
        for value in values:
            if value is None:
                cell = TableCell()
            elif isinstance(value, dt.date):
                cell = TableCell(valuetype="date", datevalue=value.isoformat())
                cell.addElement(P(text=value.strftime("%d/%m/%Y")))
            elif isinstance(value, int):
                cell = TableCell(valuetype="float", value=value)
                cell.addElement(P(text=str(value)))
            else:
                cell = TableCell(valuetype="string")
                cell.addElement(P(text=value))
            row.addElement(cell)
        table.addElement(row)
    # What spreadsheet programs write after the last row: thousands of empty rows, declared once.
    table.addElement(TableRow(numberrowsrepeated=1048000))
    document.spreadsheet.addElement(table)
    out = io.BytesIO()
    document.write(out)
    out.seek(0)
    return out


@pytest.mark.parametrize("make", [xlsx, ods], ids=["xlsx", "ods"])
def test_a_spreadsheet_register_imports_as_its_csv_would(campaign, make):
    report = register_import(campaign=campaign, file=make(ROWS), user=campaign.agent)
    assert (report.rows, report.created, report.districts) == (3, 3, ["KA"])
    electors = {e.elector_number: e for e in Elector.objects.filter(campaign=campaign)}
    assert set(electors) == {"KA-1", "KA-2", "KA-3/1"}
    assert electors["KA-2"].attainer_date == dt.date(2009, 3, 14) and electors["KA-2"].markers == "G"
    assert electors["KA-3/1"].address_1 == "3 Cranbrook Road"  # the line break inside the cell is a space
    assert (electors["KA-1"].surname, electors["KA-1"].forenames) == ("Khan", "Aisha")


@pytest.mark.parametrize("make", [xlsx, ods], ids=["xlsx", "ods"])
def test_a_spreadsheet_with_bad_rows_writes_nothing_and_names_each_row(campaign, make):
    bad = [*ROWS, ["KA", None, 0, None, None, "Lee, Li", "IG1 4AC", "5 Cranbrook Road", "Ilford"]]
    bad.append(["KA", 6, 0, "Q", None, "Bell, Bo", "NOT A CODE", "7 Cranbrook Road", "Ilford"])
    with pytest.raises(ImportRejected) as rejected:
        register_import(campaign=campaign, file=make(bad), user=campaign.agent)
    problems = {(p.row, p.column, p.problem) for p in rejected.value.problems}
    # Rows as the spreadsheet numbers them: the header is row 1.
    assert (5, "Elector Number", "missing elector number") in problems
    assert (6, "Elector Markers", "unknown marker 'Q'") in problems
    assert (6, "PostCode", "malformed postcode 'NOT A CODE'") in problems
    assert not Elector.objects.filter(campaign=campaign).exists()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
NOT_REGISTERS = {
    "image.png": (PNG, "this is a PNG image, not a register"),
    "scan.pdf": (b"%PDF-1.7\n" + b"\x00" * 32, "this is a PDF document"),
    "old.xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "save it as .xlsx, .ods or CSV"),
    "tool.exe": (b"MZ\x90\x00" + b"\x00" * 64, "this is a program"),
}


def _zip(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in names.items():
            archive.writestr(name, data)
    return out.getvalue()


NOT_REGISTERS["letter.docx"] = (_zip({"word/document.xml": b"<w/>"}), "a word-processor document")
NOT_REGISTERS["photos.zip"] = (_zip({"a.jpg": b"\xff\xd8\xff"}), "this is a ZIP archive, not a register")


@pytest.mark.parametrize("name", NOT_REGISTERS)
def test_other_files_are_refused_with_what_they_are(campaign, name):
    data, reason = NOT_REGISTERS[name]
    with pytest.raises(ImportRejected) as rejected:
        register_import(campaign=campaign, file=io.BytesIO(data), user=campaign.agent)
    assert reason in str(rejected.value)
    with pytest.raises(register_files.NotARegister):
        register_files.kind_of(io.BytesIO(data))


@pytest.fixture
def organiser(campaign, seat_a):
    return grant(campaign, GrantLevel.ORGANISER, Role.SEAT_ORGANISER, seats=(seat_a,), mfa=True)


def test_the_upload_form_refuses_an_image_and_takes_a_spreadsheet(campaign, organiser):
    client = logged_in_client(organiser)
    url = reverse("canvassing:import", args=[campaign.pk])
    page = client.post(url, {"file": SimpleUploadedFile("register.png", PNG, "image/png")}).content.decode()
    assert "This file cannot be imported: this is a PNG image, not a register" in page
    assert "‰PNG" not in page and "Which column holds what?" not in page
    assert not RegisterImportJob.objects.exists()
    data = xlsx(ROWS).getvalue()
    response = client.post(url, {"file": SimpleUploadedFile("register.xlsx", data)})
    job = RegisterImportJob.objects.get()
    assert response.url == reverse("canvassing:import_job", args=[campaign.pk, job.pk])  # recognised: queued


def test_a_spreadsheet_of_unknown_layout_gets_the_mapping_page_with_its_headers(campaign, organiser):
    client = logged_in_client(organiser)
    data = xlsx(
        [["KC", 1, "Lee", "Li", "IG1 1AA"]], header=["PD", "Elector No", "Last name", "First name", "Post code"]
    )
    client.post(
        reverse("canvassing:import", args=[campaign.pk]), {"file": SimpleUploadedFile("odd.xlsx", data.getvalue())}
    )
    job = RegisterImportJob.objects.get()
    page = client.get(reverse("canvassing:import_mapping", args=[campaign.pk, job.pk])).content.decode()
    assert '<option value="Last name" selected>' in page and '<option value="First name" selected>' in page
    assert '<option value="Elector No" selected>' in page and '<option value="PD" selected>' in page
