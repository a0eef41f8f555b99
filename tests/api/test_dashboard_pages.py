"""The dashboard's pages through the Flask test client: one broadcast with
its tile map of the 98 municipalities, the regions beside it and the
hearing report's downloads; the directory and the steering groups."""

import re

import pytest

from data.seed import load_seed
from handlers import deliveries, hearings, signin
from handlers.directory_csv import import_csv
from tests.conftest import NOW
from tests.support.factories import forwarded_hearing

ANNE = "anne@rkkp.dk"


def csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def signed_in(app, store, address: str):
    """A test client signed in through a link issued to ``address``."""
    client = app.test_client()
    token = signin.issue_link(store, signin.person_for_email(store, address), NOW, by="test")
    path = f"/status/sign-in/{token}"
    assert client.post(path, data={"csrf": csrf(client.get(path).get_data(as_text=True))}).status_code == 303
    return client


@pytest.fixture
def consultant(app, store):
    import_csv(store, "role,place,name,email\nconsultant,,Anne Nakano,anne@rkkp.dk\n", NOW)
    return signed_in(app, store, ANNE)


def tile_state(html: str, code: str) -> str:
    return re.search(rf'id="m-{code}" data-state="([a-z_]+)"', html).group(1)


def test_every_municipality_has_one_tile_and_no_two_share_a_square():
    tiles = load_seed("municipality_tiles")
    codes = sorted(m["code"] for m in load_seed("municipalities"))
    assert sorted(t["code"] for t in tiles) == codes and len(codes) == 98
    assert len({(t["col"], t["row"]) for t in tiles}) == 98


def test_the_map_shows_each_municipality_in_its_state(store, consultant):
    hearing = forwarded_hearing(store)  # Midtjylland forwarded: Viborg (Bo Ek) reached, its neighbours have no contact
    page = consultant.get(f"/status/broadcasts/{hearing['id']}").get_data(as_text=True)
    assert page.count('class="tile ') == 98
    assert tile_state(page, "0791") == "sent"           # Viborg
    assert tile_state(page, "0751") == "unreachable"    # Aarhus: forwarded to, no contact person
    assert tile_state(page, "0851") == "not_sent"       # Aalborg: Nordjylland has not forwarded
    assert 'aria-label="Viborg: Bo Ek – sendt"' in page
    viborg = next(d for d in deliveries_of(store, hearing["id"]) if d.get("municipality") == "0791")
    deliveries.acknowledge(store, hearing["id"], viborg["id"], NOW)
    assert tile_state(consultant.get(f"/status/broadcasts/{hearing['id']}").get_data(as_text=True), "0791") == \
        "acknowledged"
    hearings.reply_by_delivery(store, hearing["id"], viborg["id"], "Vi er enige.", NOW)
    page = consultant.get(f"/status/broadcasts/{hearing['id']}").get_data(as_text=True)
    assert tile_state(page, "0791") == "replied"
    assert "Jonas Thor Björnson" in page and "Region Midtjylland" in page
    reads = [(e["action"], e["target"]) for e in store.audit.entries() if e["actor"] == f"web:{ANNE}"]
    assert ("read_broadcast", f"broadcast:{hearing['id']}") in reads


def deliveries_of(store, broadcast_id):
    with store.read(f"broadcast-{broadcast_id}") as view:
        return view.all("deliveries")


def test_a_consultant_downloads_the_report_and_a_kkr_contact_may_not(app, store, consultant):
    hearing = forwarded_hearing(store)
    page = consultant.get(f"/status/broadcasts/{hearing['id']}").get_data(as_text=True)
    links = re.findall(r'href="(/status/broadcasts/\d+/report[^"]*)"', page)
    assert links == [f"/status/broadcasts/{hearing['id']}/report.md", f"/status/broadcasts/{hearing['id']}/report.csv",
                     f"/status/broadcasts/{hearing['id']}/report.csv?excel=1",
                     f"/status/broadcasts/{hearing['id']}/report.xlsx"]
    markdown = consultant.get(links[0].replace("&amp;", "&"))
    assert markdown.status_code == 200 and markdown.mimetype == "text/markdown" and "Midtjylland" in markdown.text
    excel = consultant.get(links[2].replace("&amp;", "&"))
    assert excel.data.startswith("\ufeff".encode()) and b";" in excel.data
    kkr = signed_in(app, store, "jt@viborg.dk")
    own = kkr.get(f"/status/broadcasts/{hearing['id']}").get_data(as_text=True)
    assert "/report" not in own
    assert own.count('data-state="hidden"') == 98 - 19  # only Midtjylland's municipalities are shown to Jonas
    assert "Region Nordjylland" not in own
    assert kkr.get(links[0]).status_code == 403


def test_the_report_downloads_as_an_excel_workbook_audited_and_for_consultants_only(app, store, consultant):
    import io

    from openpyxl import load_workbook

    hearing_id = forwarded_hearing(store)["id"]
    page = consultant.get(f"/status/broadcasts/{hearing_id}").get_data(as_text=True)
    assert f'href="/status/broadcasts/{hearing_id}/report.xlsx"' in page and "Hent som Excel (xlsx)" in page
    answer = consultant.get(f"/status/broadcasts/{hearing_id}/report.xlsx")
    assert answer.status_code == 200 and answer.mimetype.endswith("spreadsheetml.sheet")
    assert f'filename="hoeringsrapport-{hearing_id}.xlsx"' in answer.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(answer.data))
    assert book.sheetnames[0] == "Oversigt" and "Midtjylland" in " ".join(book.sheetnames)
    reads = [(e["action"], e["target"]) for e in store.audit.entries() if e["actor"] == f"web:{ANNE}"]
    assert ("read_report", f"broadcast:{hearing_id}") in reads
    kkr = signed_in(app, store, "jt@viborg.dk")
    assert kkr.get(f"/status/broadcasts/{hearing_id}/report.xlsx").status_code == 403


def test_a_page_without_a_session_sends_to_sign_in(anonymous):
    assert anonymous.get("/status/broadcasts/1").headers["Location"].endswith("/status/sign-in")


def test_the_directory_is_searchable_with_the_look_up_s_matcher(app, store, consultant):
    everything = consultant.get("/status/directory").get_data(as_text=True)
    assert everything.count('class="municipality"') == 98 and "Jonas Thor Björnson" in everything
    typo = consultant.get("/status/directory?q=Koebenhavn").get_data(as_text=True)  # oe for ø
    assert re.findall(r'class="municipality"[^>]*><th scope="row">([^<]+)<', typo) == ["København"]
    region = consultant.get("/status/directory?q=Midtjyland").get_data(as_text=True)  # a typo
    assert region.count('class="municipality"') == 19
    unknown = consultant.get("/status/directory?q=Xyzzy")
    assert unknown.status_code == 404 and "Xyzzy" in unknown.get_data(as_text=True)
    reads = [(e["action"], e["target"]) for e in store.audit.entries() if e["actor"] == f"web:{ANNE}"]
    assert ("read_contacts", "municipalities") in reads


def test_the_steering_groups_show_each_roster_its_seats_and_gaps(store, consultant):
    page = consultant.get("/status/steering").get_data(as_text=True)
    assert "DHRD" in page and "0 af 5 pladser besat" in page
    assert "Region Nordjylland" in page  # a region without a representative
    reads = [(e["action"], e["target"]) for e in store.audit.entries() if e["actor"] == f"web:{ANNE}"]
    assert ("read_roster", "database:DHRD") in reads
