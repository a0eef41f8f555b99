from dataclasses import astuple
from datetime import timedelta

import pytest

from data import Store
from handlers import permissions
from handlers.errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from handlers.permissions import Act
from handlers.tokens import authenticate, create_token, digest, list_tokens, revoke_token
from tests.conftest import NOW


def test_a_token_authenticates_with_its_role_and_is_stored_only_as_a_hash(store):
    token, record = create_token(store, "consultant", "Anne", NOW)
    caller = authenticate(store, token, NOW)
    assert (caller.name, caller.role) == ("Anne", "consultant")
    raw = store.file_of("auth").read_text()
    assert token not in raw and digest(token) in raw


def test_roles_are_ordered(store):
    token, _ = create_token(store, "reader", "R", NOW)
    caller = permissions.token_holder(*astuple(authenticate(store, token, NOW)))
    assert permissions.admit(caller, Act.READ_STATUS) is caller
    with pytest.raises(Forbidden):
        permissions.admit(caller, Act.READ_AUDIT)


@pytest.mark.parametrize("token", [None, "", "kkr_wrong"])
def test_missing_or_unknown_tokens_are_refused(store, token):
    with pytest.raises(Unauthorized):
        authenticate(store, token, NOW)


def test_expired_tokens_are_refused(store):
    token, _ = create_token(store, "admin", "A", NOW, expires_at=NOW + timedelta(days=1))
    authenticate(store, token, NOW)
    with pytest.raises(Unauthorized):
        authenticate(store, token, NOW + timedelta(days=2))


def test_unknown_roles_are_refused(store):
    with pytest.raises(Invalid):
        create_token(store, "root", "X", NOW)


def test_tokens_survive_a_new_store_object(store, db_path):
    token, _ = create_token(store, "admin", "A", NOW)
    assert authenticate(Store(db_path), token, NOW).role == "admin"


def test_revoked_tokens_are_refused(store):
    token, _ = create_token(store, "admin", "Old laptop", NOW)
    keep, _ = create_token(store, "admin", "New laptop", NOW)
    assert revoke_token(store, "Old laptop", NOW)["name"] == "Old laptop"
    with pytest.raises(Unauthorized):
        authenticate(store, token, NOW)
    assert authenticate(store, keep, NOW).name == "New laptop"
    listed = {r["name"]: r for r in list_tokens(store)}
    assert listed["Old laptop"]["revoked_at"] and listed["New laptop"]["revoked_at"] is None
    assert all(token not in str(r) and keep not in str(r) for r in listed.values())
    with pytest.raises(NotFound):
        revoke_token(store, "Old laptop", NOW)


def test_an_expiry_that_is_not_in_the_future_is_refused(store):
    for expires in (NOW, NOW - timedelta(days=1)):
        with pytest.raises(Invalid):
            create_token(store, "admin", "A", NOW, expires_at=expires)
    assert list_tokens(store) == []


def test_names_are_unique_among_live_tokens(store):
    create_token(store, "admin", "Anne", NOW, expires_at=NOW + timedelta(days=1))
    with pytest.raises(Conflict):
        create_token(store, "reader", "Anne", NOW)
    assert len(list_tokens(store)) == 1
    # Once the first has expired, the name is free again.
    later = NOW + timedelta(days=2)
    create_token(store, "reader", "Anne", later)
    assert len(list_tokens(store)) == 2


def test_revoke_designates_exactly_one_live_token(store):
    # Two live tokens of one name, as a store from before names were unique can hold.
    create_token(store, "admin", "Anne", NOW)
    with store.write("auth") as tx:
        first = tx.all("tokens")[0]
        tx.insert("tokens", {**{k: v for k, v in first.items() if k != "id"}, "hash": "f" * 64})
    with pytest.raises(Conflict):
        revoke_token(store, "Anne", NOW)
    assert all(r["revoked_at"] is None for r in list_tokens(store))
    revoked = revoke_token(store, "f" * 12, NOW)
    assert revoked["id"] == "f" * 12 and revoked["name"] == "Anne"
    assert revoke_token(store, "Anne", NOW)["name"] == "Anne"
    with pytest.raises(NotFound):
        revoke_token(store, "Anne", NOW)


def test_an_expired_token_is_not_live_for_revoke(store):
    create_token(store, "admin", "Anne", NOW, expires_at=NOW + timedelta(days=1))
    with pytest.raises(NotFound):
        revoke_token(store, "Anne", NOW + timedelta(days=2))
