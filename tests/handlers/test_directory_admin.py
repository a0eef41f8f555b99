"""Admins keep the directory current; a bad change is refused and changes nothing."""

import pytest

from handlers import directory
from handlers.directory_admin import (
    clear_municipality_contact,
    clear_region_contact,
    set_municipality_contact,
    set_region_contact,
)
from handlers.errors import Invalid, NotFound
from tests.conftest import NOW

ANNE = {"name": "Anne Hansen", "email": "Anne.Hansen@Roskilde.DK", "title": "Konsulent", "phone": "46 31 30 00"}


def test_setting_a_pending_regions_contact_makes_it_active(store):
    answer = set_region_contact(store, "Sjælland", ANNE, NOW, by="admin")
    assert answer.status == "active" and answer.route_via is None
    found = directory.find_contact(store, "Roskilde")
    assert found.contact.name == "Anne Hansen"
    assert found.contact.email == "anne.hansen@roskilde.dk"
    assert found.contact.phone == "+45 46 31 30 00"


def test_replacing_a_contact_keeps_one_per_region(store):
    set_region_contact(store, "1082", {"name": "Ny Person", "email": "ny@viborg.dk"}, NOW)
    kkr = [p for p in directory.contacts(store, role="kkr") if p.region == "1082"]
    assert [p.name for p in kkr] == ["Ny Person"]


def test_clearing_a_contact_makes_the_region_pending_via_kl(store):
    answer = clear_region_contact(store, "Midtjylland", NOW)
    assert answer.status == "pending"
    assert answer.route_via.email == "lht@kl.dk"


def test_changes_refuse_typos_and_suggest(store):
    with pytest.raises(NotFound) as raised:
        set_region_contact(store, "Midtjyland", ANNE, NOW)
    assert "Region Midtjylland" in raised.value.suggestions
    assert directory.find_contact(store, "1082").contact.name == "Jonas Thor Björnson"


def test_a_region_change_does_not_accept_a_municipality(store):
    with pytest.raises(NotFound):
        set_region_contact(store, "Viborg", ANNE, NOW)


@pytest.mark.parametrize("fields, field", [
    ({"name": "X", "email": "not-an-address"}, "email"),
    ({"name": "X", "email": "x@@viborg.dk"}, "email"),
    ({"name": "", "email": "x@viborg.dk"}, "name"),
    ({"name": "X", "email": "x@viborg.dk", "phone": "12"}, "phone"),
    ({"name": "X", "email": "x@viborg.dk", "slack_id": "bob"}, "slack_id"),
    ({"name": "X", "email": "x@viborg.dk", "mobile": "12345678"}, "mobile"),
    ({"name": "X" * 201, "email": "x@viborg.dk"}, "name"),
    ({"name": 5, "email": "x@viborg.dk"}, "name"),
])
def test_invalid_people_are_refused_and_nothing_is_written(store, db_path, fields, field):
    before = db_path.read_bytes()
    with pytest.raises(Invalid) as raised:
        set_municipality_contact(store, "Viborg", fields, NOW)
    assert raised.value.status == 422
    assert raised.value.extra["field"] == field
    assert db_path.read_bytes() == before


def test_invalid_email_reason_is_given(store):
    with pytest.raises(Invalid) as raised:
        set_region_contact(store, "1085", {"name": "X", "email": "x@"}, NOW)
    assert raised.value.extra["reason"]
    assert "x@" in raised.value.message("en")


def test_municipal_contact_round_trip(store):
    ref = set_municipality_contact(store, "0751", {"name": "Bo Ek", "email": "bo@aarhus.dk"}, NOW)
    assert (ref.name, ref.contact.name) == ("Aarhus", "Bo Ek")
    assert directory.find_contact(store, "Århus").municipality.contact.email == "bo@aarhus.dk"
    assert clear_municipality_contact(store, "Aarhus", NOW).contact is None
    assert directory.find_contact(store, "Aarhus").municipality.contact is None
