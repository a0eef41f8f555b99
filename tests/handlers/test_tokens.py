from datetime import timedelta

import pytest

from data import Store
from handlers.errors import Forbidden, Invalid, NotFound, Unauthorized
from handlers.tokens import authenticate, create_token, digest
from tests.conftest import NOW


def test_a_token_authenticates_with_its_role_and_is_stored_only_as_a_hash(store):
    token, record = create_token(store, "consultant", "Anne", NOW)
    caller = authenticate(store, token, NOW)
    assert (caller.name, caller.role) == ("Anne", "consultant")
    raw = store.file_of("auth").read_text()
    assert token not in raw and digest(token) in raw


def test_roles_are_ordered(store):
    token, _ = create_token(store, "reader", "R", NOW)
    caller = authenticate(store, token, NOW)
    assert caller.require("reader") is caller
    with pytest.raises(Forbidden):
        caller.require("admin")


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
    from handlers.tokens import list_tokens, revoke_token

    token, _ = create_token(store, "admin", "Old laptop", NOW)
    keep, _ = create_token(store, "admin", "New laptop", NOW)
    assert [r["name"] for r in revoke_token(store, "Old laptop", NOW)] == ["Old laptop"]
    with pytest.raises(Unauthorized):
        authenticate(store, token, NOW)
    assert authenticate(store, keep, NOW).name == "New laptop"
    listed = {r["name"]: r for r in list_tokens(store)}
    assert listed["Old laptop"]["revoked_at"] and listed["New laptop"]["revoked_at"] is None
    assert all(token not in str(r) and keep not in str(r) for r in listed.values())
    with pytest.raises(NotFound):
        revoke_token(store, "Old laptop", NOW)
