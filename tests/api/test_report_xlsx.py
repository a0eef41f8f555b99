"""The hearing report as an Excel workbook (``format=xlsx``), opened with
openpyxl: a summary sheet and one sheet per region, Danish headers, real
date cells, fitted columns, a frozen header row, and no formula from what
people typed."""

import io
from datetime import datetime

import openpyxl
import pytest

from handlers import hearings
from handlers.directory_admin import set_region_contact
from handlers.tokens import create_token
from tests.conftest import NOW
from tests.support.factories import forwarded_hearing

FORMULA = '=HYPERLINK("http://evil","x")'
REGIONS = ["Region Nordjylland", "Region Midtjylland", "Region Syddanmark", "Region Hovedstaden",
           "Region Sjælland"]  # by region code


@pytest.fixture
def consultant(store):
    token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def workbook(client, store, consultant):
    set_region_contact(store, "1082", {"name": "=SUM(A1:A9)", "email": "jt@viborg.dk"}, NOW)
    status = forwarded_hearing(store)
    hearings.reply_for(store, status["id"], "1082", FORMULA, NOW, by="@Jonas")
    hearings.reply_for(store, status["id"], "1082", "Viborg: enig.", NOW, by="Bo Ek", municipality="Viborg")
    response = client.get(f"/api/hearings/{status['id']}/report?format=xlsx", headers=consultant)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f"hearing-{status['id']}.xlsx" in response.headers["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.get_data()))


def rows(sheet) -> list[dict]:
    """The table under the header row, to the first empty row."""
    header = [cell.value for cell in sheet[1]]
    found = []
    for row in sheet.iter_rows(min_row=2):
        if row[0].value is None:
            break
        found.append(dict(zip(header, (cell.value for cell in row), strict=True)))
    return found


def facts(sheet) -> dict:
    """The hearing's facts under the summary's table: label, value."""
    return {row[0].value: row[1] for row in sheet.iter_rows(min_row=len(rows(sheet)) + 3) if row[0].value}


def test_a_summary_sheet_and_one_sheet_per_region(workbook):
    assert workbook.sheetnames == ["Oversigt", *(name.removeprefix("Region ") for name in REGIONS)]
    summary = rows(workbook["Oversigt"])
    assert [row["Region"] for row in summary] == [*REGIONS, "I alt"]
    midt = summary[1]
    assert midt["Kommuner i alt"] == 19 and midt["Har svaret"] == 1 and isinstance(midt["Har svaret"], int)
    assert midt["Samlet svar"] == "Har svaret" and summary[0]["Samlet svar"] == "Intet samlet svar"
    assert summary[-1]["Kommuner i alt"] == 98
    about = facts(workbook["Oversigt"])
    assert about["Høring"].value == "Kommunale indikatorer" and about["Database"].value == "DHRD"
    assert about["Høringsfrist"].value == datetime(2026, 12, 15) and about["Høringsfrist"].is_date
    assert about["Kommunernes frist"].is_date


def test_region_sheet_has_danish_headers_real_dates_and_every_municipality(workbook):
    sheet = workbook["Midtjylland"]
    header = [cell.value for cell in sheet[1]]
    assert header == ["Kommunekode", "Kommune", "Status", "Svaret af", "Modtaget", "For sent", "Svar"]
    found = rows(sheet)
    assert found[0]["Kommune"] == "Region Midtjylland (samlet svar)"
    viborg = next(row for row in found if row["Kommune"] == "Viborg")
    assert viborg["Status"] == "Har svaret" and viborg["Svar"] == "Viborg: enig."
    assert viborg["Modtaget"] == datetime(2026, 11, 23, 9, 0)  # Copenhagen time, as Excel has no zones
    assert sheet.cell(row=found.index(viborg) + 2, column=5).is_date
    assert len(found) == 1 + 19
    aarhus = next(row for row in found if row["Kommune"] == "Aarhus")
    assert aarhus["Status"] == "Uden kontaktperson" and aarhus["Modtaget"] is None


def test_header_rows_are_frozen_and_columns_fit(workbook):
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert len(cell.value) <= width <= 80
    assert workbook["Midtjylland"].column_dimensions["B"].width >= len("Region Midtjylland (samlet svar)")


def test_user_text_that_looks_like_a_formula_stays_text(workbook):
    every = [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]
    assert not [cell.coordinate for cell in every if cell.data_type == "f"]
    regional = rows(workbook["Midtjylland"])[0]
    assert regional["Svar"] == FORMULA and regional["Svaret af"] == "@Jonas"
    assert rows(workbook["Oversigt"])[1]["KKR-kontakt"] == "=SUM(A1:A9)"


def test_unknown_format_names_xlsx(client, store, consultant):
    status = forwarded_hearing(store)
    response = client.get(f"/api/hearings/{status['id']}/report?format=xls", headers=consultant)
    assert response.status_code == 422 and "xlsx" in response.get_json()["error"]
