"""The hearing report accounts for every one of the 98 municipalities, per
region and in total, in JSON, Markdown and CSV (also for Excel)."""

import csv
import io
import re

import pytest

from handlers.directory_admin import set_municipality_contact
from tests.conftest import NOW
from tests.support.chain import new_chain

COUNT_KEYS = ("total", "replied", "without_reply", "not_reached", "not_delivered", "not_forwarded")


@pytest.fixture
def chain(store, client, tmp_path):
    return new_chain(store, client, tmp_path / "outbox")


def test_the_report_accounts_for_every_municipality_per_region(chain):
    chain.forward()
    chain.client.post(chain.link("bo@viborg.dk") + "/reply", data={"text": "Viborg: enig."})
    set_municipality_contact(chain.store, "Odense", {"name": "Ole Hald", "email": "oh@odense.dk"}, NOW)
    chain.forward("Syddanmark")  # Odense's message is written ...
    set_municipality_contact(chain.store, "Kolding", {"name": "Kim Mose", "email": "km@kolding.dk"}, NOW)
    chain.client.post(f"/api/broadcasts/{chain.id}/forward", json={"region": "Syddanmark"}, headers=chain.consultant)
    # ... Kolding's is queued, not delivered yet.

    found = chain.client.get(f"/api/hearings/{chain.id}/report", headers=chain.consultant).json
    regions = {r["region"]["code"]: r for r in found["regions"]}
    mid, south, north = regions["1082"], regions["1083"], regions["1081"]
    assert [r["municipality"]["name"] for r in mid["municipal_replies"]] == ["Viborg"]
    assert mid["municipalities_without_reply"] == ["Skive"]
    assert len(mid["not_reached"]) == 17 and "Herning" in mid["not_reached"]
    assert (mid["not_delivered"], mid["not_forwarded"]) == ([], [])
    assert mid["municipality_counts"] == dict(zip(COUNT_KEYS, (19, 1, 1, 17, 0, 0), strict=True))
    assert south["municipalities_without_reply"] == ["Odense"] and south["not_delivered"] == ["Kolding"]
    assert south["municipality_counts"] == dict(zip(COUNT_KEYS, (22, 0, 1, 20, 1, 0), strict=True))
    assert len(north["not_forwarded"]) == 11 and "Aalborg" in north["not_forwarded"]
    assert north["municipality_counts"] == dict(zip(COUNT_KEYS, (11, 0, 0, 0, 0, 11), strict=True))
    assert found["municipality_counts"] == dict(zip(COUNT_KEYS, (98, 1, 2, 37, 1, 57), strict=True))
    assert len(found["missing_municipalities"]) == 97 and "Aalborg" in found["missing_municipalities"]

    markdown = chain.client.get(f"/api/hearings/{chain.id}/report?format=md",
                                headers=chain.consultant).get_data(as_text=True)
    assert "Kommuner: 98 i alt – 1 har svaret, 2 modtaget uden svar, 37 uden kontaktperson, " \
           "1 ikke leveret, 57 ikke sendt videre af regionen" in markdown
    assert "Modtaget, uden svar (1): Skive" in markdown
    assert re.search(r"Uden kontaktperson, ikke nået \(17\): [^\n]*Herning", markdown)
    assert "Sendt videre, ikke leveret (1): Kolding" in markdown
    assert re.search(r"Ikke sendt videre af regionen \(11\): [^\n]*Aalborg", markdown)
    assert "Kommuner uden svar: 97 af 98" in markdown


@pytest.mark.parametrize("excel", ["0", "1"])
def test_the_report_csv_has_a_row_for_every_municipality_and_the_counts(chain, excel):
    chain.forward()
    chain.client.post(chain.link("bo@viborg.dk") + "/reply", data={"text": "Viborg: enig."})
    response = chain.client.get(f"/api/hearings/{chain.id}/report?format=csv&excel={excel}",
                                headers=chain.consultant)
    text = response.get_data().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";" if excel == "1" else ","))
    municipal = [r for r in rows if r["level"] == "municipal"]
    assert len(municipal) == 98 and len({r["municipality_code"] for r in municipal}) == 98
    statuses = {}
    for row in municipal:
        statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    assert statuses == {"replied": 1, "no_reply": 1, "not_reached": 17, "not_forwarded": 79}
    mid = next(r for r in rows if r["level"] == "regional" and r["region_code"] == "1082")
    assert [mid[k] for k in ("municipalities", "replied", "without_reply", "not_reached", "not_delivered",
                             "not_forwarded")] == ["19", "1", "1", "17", "0", "0"]
    total = next(r for r in rows if r["level"] == "total")
    assert (total["municipalities"], total["replied"], total["not_forwarded"]) == ("98", "1", "79")
