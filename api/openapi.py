"""The OpenAPI 3 document of the API, served at ``/api/openapi.json``."""

from __future__ import annotations

from functools import lru_cache

from handlers import audit
from handlers.enums import BROADCAST_KINDS, BroadcastState, DeliveryState, HearingState, ReplyKind


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _body(schema: dict) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict:
    text = {400: "Malformed request", 401: "No or bad token", 403: "Not permitted: the act's rule says who may",
            404: "Not found; suggestions when a place name was not understood",
            413: "Body too large", 422: "A value is not acceptable (also: a place name over 200 characters)"}
    return {str(code): _json(_ref("Error"), text[code]) for code in codes}


_NULLABLE_TEXT = {"type": "string", "nullable": True}
_BROADCAST_STATE = {"type": "string", "enum": [BroadcastState.OPEN.value, BroadcastState.DONE.value],
                    "description": "open while a message or reminder is still to be sent, then done"}
_HEARING_STATE = {"type": "string", "nullable": True, "enum": [*(s.value for s in HearingState), None],
                  "description": "for a hearing: open, past its deadline day, or closed"}
# A place name longer than this is refused with a 422 (handlers.directory.MAX_QUERY), in a path or query
# parameter as in a body field: a value out of range, not an unknown place.
_PLACE_NAME = {"type": "string", "maxLength": 200}
_PLACE = {"name": "region", "in": "path", "required": True, "schema": _PLACE_NAME,
          "description": "Region code, Danish or English name (any case, æøå or ae/oe/aa), or a municipality name"}
_MUNI = {"name": "municipality", "in": "path", "required": True, "schema": _PLACE_NAME,
         "description": "Municipality name or code"}
_ADMIN = [{"bearer": []}]
_BROADCAST_PAGE = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}},
    {"name": "before", "in": "query", "schema": {"type": "integer", "minimum": 1},
     "description": "where the page starts: the `before` of the previous page's `Link` header (broadcasts "
                    "with a lower id)"}]
_NOT_REACHED = ("regions_not_delivered", "regions_not_forwarded", "municipalities_not_delivered",
                "municipalities_without_contact")

SCHEMAS = {
    "Error": {"type": "object", "required": ["error"], "properties": {
        "error": {"type": "string"},
        "suggestions": {"type": "array", "items": {"type": "string"}},
        "field": {"type": "string"}, "reason": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}}}},
    "Person": {"type": "object", "required": ["name", "email", "role"], "properties": {
        "name": {"type": "string"}, "email": {"type": "string", "format": "email"},
        "role": {"type": "string", "enum": ["kkr", "municipal", "kl", "consultant"]},
        "title": _NULLABLE_TEXT, "phone": _NULLABLE_TEXT, "slack_id": _NULLABLE_TEXT,
        "organisation": _NULLABLE_TEXT, "region": _NULLABLE_TEXT, "municipality": _NULLABLE_TEXT}},
    "PersonInput": {"type": "object", "required": ["name", "email"], "additionalProperties": False,
                    "properties": {name: {"type": "string", "maxLength": 200} for name in
                                   ("name", "email", "title", "phone", "slack_id", "organisation")}},
    "Region": {"type": "object", "required": ["code", "name", "name_en"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "name_en": {"type": "string"}}},
    "Municipality": {"type": "object", "required": ["code", "name", "official_name", "region"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "official_name": {"type": "string"},
        "region": {"type": "string"}, "contact": {**_ref("Person"), "nullable": True}}},
    "ContactAnswer": {"type": "object", "required": ["region", "status", "contact", "route_via"], "properties": {
        "region": _ref("Region"),
        "status": {"type": "string", "enum": ["active", "pending"]},
        "contact": {"allOf": [_ref("Person")], "nullable": True},
        "route_via": {"allOf": [_ref("Person")], "nullable": True,
                      "description": "The KL contact, for a region with no agreed KKR contact"},
        "municipality": {"allOf": [_ref("Municipality")], "nullable": True},
        "match": {"type": "object", "nullable": True, "properties": {
            "query": {"type": "string"}, "exact": {"type": "boolean"}}}}},
    "BroadcastInput": {"type": "object", "required": ["kind", "database", "title"], "additionalProperties": False,
                       "properties": {
                           "kind": {"type": "string", "enum": [k.value for k in BROADCAST_KINDS]},
                           "database": {"type": "string", "maxLength": 40},
                           "title": {"type": "string", "maxLength": 200},
                           "body": {"type": "string", "maxLength": 20000},
                           "link": {"type": "string", "maxLength": 2000},
                           "deadline": {"type": "string", "format": "date",
                                        "description": "YYYY-MM-DD; required for hearings"},
                           "municipal_deadline": {
                               "type": "string", "format": "date",
                               "description": "hearings only: when the municipalities reply to their KKR contact, "
                                              "from today up to the deadline; default 5 working days before it"}}},
    "BroadcastSummary": {"type": "object", "required": ["id", "kind", "database", "title", "state"], "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "database": {"type": "string"},
        "title": {"type": "string"}, "body": _NULLABLE_TEXT, "link": _NULLABLE_TEXT, "deadline": _NULLABLE_TEXT,
        "municipal_deadline": _NULLABLE_TEXT,
        "created_by": {"type": "string"}, "created_at": {"type": "string"}, "state": _BROADCAST_STATE,
        "hearing_state": _HEARING_STATE}},
    "RegionDelivery": {"type": "object", "required": ["region", "recipient", "fallback", "channel", "state"],
                       "properties": {
        "region": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
        "delivery": {"type": "integer"},
        "recipient": {"type": "object", "nullable": True},
        "fallback": {"type": "boolean", "description": "sent to the KL contact: the region has no KKR contact"},
        "channel": {"type": "string", "nullable": True,  # a new channel is one module: no closed list here
                    "description": "the channel that delivered it (KKRBOT_CHANNELS: slack, teams, email, outbox); "
                                   "null until sent"},
        "state": {"type": "string", "enum": [s.value for s in DeliveryState]},
        "last_error": _NULLABLE_TEXT, "acknowledged_by": _NULLABLE_TEXT, "acknowledged_at": _NULLABLE_TEXT,
        "forwarded_at": _NULLABLE_TEXT, "forwarded_by": _NULLABLE_TEXT,
        "forwarded_on_behalf": {"type": "boolean",
                                "description": "forwarded by someone else (a consultant) on the region's behalf; "
                                               "only the recipient's own forward acknowledges the delivery"},
        "municipalities": {"type": "object", "properties": {
            "total": {"type": "integer"}, "reached": {"type": "integer"}, "acknowledged": {"type": "integer"},
            "unreachable": {"type": "array", "items": {"type": "string"}},
            "not_acknowledged": {"type": "array", "items": {"type": "string"}}}}}},
    "Broadcast": {"type": "object", "required": ["id", "kind", "database", "title", "regions"], "properties": {
        "id": {"type": "integer"}, "kind": {"type": "string"}, "database": {"type": "string"},
        "title": {"type": "string"}, "body": _NULLABLE_TEXT, "link": _NULLABLE_TEXT, "deadline": _NULLABLE_TEXT,
        "municipal_deadline": {**_NULLABLE_TEXT, "description": "a hearing's deadline for the municipalities"},
        "created_by": {"type": "string"}, "created_at": {"type": "string"}, "state": _BROADCAST_STATE,
        "hearing_state": _HEARING_STATE,
        "closing": {"allOf": [{"$ref": "#/components/schemas/Closing"}], "nullable": True},
        "regions": {"type": "array", "items": _ref("RegionDelivery")}}},
    "Closing": {"type": "object", "description": "A closed hearing: who closed it, and whom it never reached",
                "properties": {
                    "at": {"type": "string"}, "by": {"type": "string"}, "message": {"type": "string"},
                    "queued": {"type": "integer", "description": "closing messages, one per person reached"},
                    "not_reached": {"type": "object", "properties": {
                        key: {"type": "array", "items": {"type": "object"}} for key in _NOT_REACHED}},
                    "counts": {"type": "object", "properties": {key: {"type": "integer"} for key in _NOT_REACHED}}}},
    "Forwarded": {"type": "object", "required": ["region", "added", "unreachable"], "properties": {
        "region": {"type": "string"}, "region_name": {"type": "string"}, "total": {"type": "integer"},
        "added": {"type": "array", "items": {"type": "string"}}, "already": {"type": "boolean"},
        "unreachable": {"type": "array", "items": {"type": "string"}}}},
}

_BROADCAST_ID = {"name": "broadcast_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_CONSULTANT = [{"bearer": []}]


def _broadcast_routes() -> dict:
    return {
        "/api/broadcasts": {
            "get": {"summary": "The broadcasts, newest first, in pages of `limit`",
                    "parameters": _BROADCAST_PAGE,
                    "responses": {"200": _broadcast_page(), **_errors(422)}},
            "post": {"summary": "Send a broadcast down the KKR chain (consultant)", "security": _CONSULTANT,
                     "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
                                     "description": "the same key returns the same broadcast"}],
                     "requestBody": _body(_ref("BroadcastInput")),
                     "responses": {"201": _json(_ref("Broadcast"), "Created"),
                                   "200": _json(_ref("Broadcast"), "Already created with this Idempotency-Key"),
                                   **_errors(400, 401, 403, 413, 422)}}},
        "/api/broadcasts/{broadcast_id}": {
            "parameters": [_BROADCAST_ID],
            "get": {"summary": "A broadcast and where each region's delivery stands",
                    "responses": {"200": _json(_ref("Broadcast")), **_errors(404)}}},
        "/api/broadcasts/{broadcast_id}/forward": {
            "parameters": [_BROADCAST_ID],
            "post": {"summary": "Tier 2: pass the broadcast on to a region's municipalities (consultant)",
                     "security": _CONSULTANT,
                     "requestBody": _body({"type": "object", "required": ["region"],
                                          "properties": {"region": {"type": "string"}}}),
                     "responses": {"200": _json(_ref("Forwarded")), **_errors(400, 401, 403, 404, 413, 422)}}},
    }


def _broadcast_page() -> dict:
    page = _json({"type": "array", "items": _ref("BroadcastSummary")})
    page["headers"] = {"Link": {"schema": {"type": "string"}, "description": (
        '`<…?limit=…&before=…>; rel="next"`: the next page, when there are more broadcasts')}}
    return page


def _hearing_routes() -> dict:
    reply = {"type": "object", "properties": {
        "kind": {"type": "string", "enum": [ReplyKind.REGIONAL.value, ReplyKind.MUNICIPAL.value]},
        "region": {"type": "string"},
        "municipality": _NULLABLE_TEXT, "text": {"type": "string"}, "by": {"type": "string"},
        "at": {"type": "string"}, "late": {"type": "boolean"},
        "history": {"type": "array", "items": {"type": "object"}}}}
    text_body = {"type": "object", "required": ["region", "text"], "properties": {
        "region": {"type": "string"}, "text": {"type": "string", "maxLength": 20000},
        "municipality": {"type": "string", "description": "given: a municipal reply; else the region's own"}}}
    return {
        "/api/hearings/{broadcast_id}/replies": {
            "parameters": [_BROADCAST_ID],
            "post": {"summary": "Record a municipal or a region's consolidated reply (consultant)",
                     "security": _CONSULTANT,
                     "requestBody": _body(text_body),
                     "responses": {"201": _json(reply, "Saved (a revision replaces the text, keeping history)"),
                                   **_errors(400, 401, 403, 404, 413, 422), "409": _json(_ref("Error"), "Closed")}}},
        "/api/hearings/{broadcast_id}/report": {
            "parameters": [_BROADCAST_ID, {"name": "format", "in": "query",
                                           "schema": {"type": "string", "enum": ["json", "md", "csv", "xlsx"]}},
                           {"name": "excel", "in": "query", "description": "CSV for Danish Excel: ';' and a BOM",
                            "schema": {"type": "string", "enum": ["0", "1", "false", "true"]}}],
            "get": {"summary": "The hearing report",
                    "responses": {"200": {"description": "OK", "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "text/markdown": {"schema": {"type": "string"}},
                        "text/csv": {"schema": {"type": "string"}},
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                            "schema": {"type": "string", "format": "binary"}}}},
                        **_errors(404, 422), "409": _json(_ref("Error"), "Not a hearing")}}},
        "/api/hearings/{broadcast_id}/deadline": {
            "parameters": [_BROADCAST_ID],
            "post": {"summary": "Move the hearing's deadline; everyone reached gets the updated calendar event "
                                "(consultant)",
                     "security": _CONSULTANT,
                     "requestBody": _body({"type": "object", "required": ["deadline"], "properties": {
                         "deadline": {"type": "string", "format": "date"},
                         "municipal_deadline": {"type": "string", "format": "date",
                                                "description": "default: 5 working days before the deadline"}}}),
                     "responses": {"200": _json({"type": "object", "properties": {
                         "id": {"type": "integer"}, "queued": {"type": "integer"},
                         "deadline": {"type": "string"}, "municipal_deadline": _NULLABLE_TEXT,
                         "deadline_revision": {"type": "integer"}}}),
                         **_errors(400, 401, 403, 404, 413, 422), "409": _json(_ref("Error"), "Closed")}}},
        "/api/hearings/{broadcast_id}/calendar.ics": {
            "parameters": [_BROADCAST_ID],
            "get": {"summary": "The hearing's deadlines as iCalendar events (consultant)",
                    "responses": {"200": {"description": "OK", "content": {
                        "text/calendar": {"schema": {"type": "string"}}}},
                        **_errors(404), "409": _json(_ref("Error"), "Not a hearing")}}},
        "/api/hearings/{broadcast_id}/close": {
            "parameters": [_BROADCAST_ID],
            "post": {"summary": "Close the hearing; the message goes to everyone who received it (consultant)",
                     "security": _CONSULTANT,
                     "requestBody": _body({"type": "object", "required": ["message"],
                                          "properties": {"message": {"type": "string"}}}),
                     "responses": {"200": _json({"type": "object", "properties": {
                         "id": {"type": "integer"}, "closed": {"type": "boolean"}, "queued": {"type": "integer"},
                         "closing": _ref("Closing")}}),
                         **_errors(400, 401, 403, 404, 413, 422), "409": _json(_ref("Error"), "Already closed")}}},
    }


def _contact_routes(param: dict, result: str, what: str) -> dict:
    return {
        "put": {"summary": f"Set {what}", "security": _ADMIN,
                "requestBody": _body(_ref("PersonInput")),
                "responses": {"200": _json(_ref(result)), **_errors(400, 401, 403, 404, 413, 422)}},
        "delete": {"summary": f"Clear {what}", "security": _ADMIN,
                   "responses": {"200": _json(_ref(result)), **_errors(401, 403, 404, 422)}},
        "parameters": [param],
    }


OPEN = {"/api/", "/api/health", "/api/openapi.json", "/api/docs"}


def _secured(paths: dict) -> dict:
    """Every route but health and this document needs a token: say so, with
    the 401 and 403 it can answer."""
    for path, item in paths.items():
        if path in OPEN:
            continue
        for method, operation in item.items():
            if method == "parameters":
                continue
            operation.setdefault("security", [{"bearer": []}])
            for code in (401, 403):
                operation["responses"].setdefault(str(code), _errors(code)[str(code)])
    return paths


def _steering_routes() -> dict:
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "Database code, e.g. DHRD"}
    request_id = {"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    obj, objs = {"type": "object"}, {"type": "array", "items": {"type": "object"}}
    appointee = {"type": "object", "required": ["name", "email", "region"], "properties": {
        **{f: {"type": "string", "maxLength": 200} for f in ("name", "title", "workplace", "email", "phone",
                                                            "region")}, "chair": {"type": "boolean"}}}
    request_body = {"type": "object", "required": ["disease_area"], "properties": {
        "disease_area": {"type": "string"}, "competencies": {"type": "string"}, "next_meeting": {"type": "string"},
        "representatives": {"type": "integer", "minimum": 1, "maximum": 5}, "chair": {"type": "boolean"},
        "justification": {"type": "string", "maxLength": 5000,
                          "description": "required when the roster would stay short of one per region"}}}

    conflict = {"409": _json(_ref("Error"), "Conflicts with the request's state")}
    return {
        "/api/databases/{code}/steering-group": {"parameters": [code], "get": {
            "summary": "The steering group's municipal representatives and chair, the gap and the justification",
            "responses": {"200": _json(obj), **_errors(404)}}},
        "/api/databases/{code}/justification": {"parameters": [code], "put": {
            "summary": "The justification to KL for fewer than 5 representatives (consultant)",
            "requestBody": _body({"type": "object", "properties": {"justification": {"type": "string"}}}),
            "responses": {"200": _json(obj), **_errors(400, 404, 413, 422)}}},
        "/api/databases/{code}/reporting-municipalities": {"parameters": [code], "get": {
            "summary": "Per region, the municipalities that report and those that do not",
            "parameters": [{"name": "region", "in": "query", "schema": _PLACE_NAME}],
            "responses": {"200": _json(obj), **_errors(404, 422)}}, "post": {
            "summary": "A municipality will report; with sds_notified (a date) it is obliged to (consultant)",
            "requestBody": _body({"type": "object", "required": ["municipality"], "properties": {
                "municipality": {"type": "string"}, "sds_notified": {"type": "string", "format": "date"}}}),
            "responses": {"201": _json(obj, "Recorded"), **_errors(400, 404, 413, 422)}}},
        "/api/databases/{code}/appointments": {"parameters": [code], "post": {
            "summary": "Open a request to appoint municipal representatives; it goes to KL (consultant)",
            "parameters": [{"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"},
                            "description": "the same key returns the same request"}],
            "requestBody": _body(request_body),
            "responses": {"201": _json(obj, "Opened"), "200": _json(obj, "Already opened with this Idempotency-Key"),
                          **_errors(400, 404, 413, 422), **conflict}}},
        "/api/appointments": {"get": {"summary": "Open appointment requests, newest first",
                                      "responses": {"200": _json(objs)}}},
        "/api/appointments/{request_id}": {"parameters": [request_id], "get": {
            "summary": "An appointment request and its steps", "responses": {"200": _json(obj), **_errors(404)}}},
        "/api/appointments/{request_id}/forwarded": {"parameters": [request_id], "post": {
            "summary": "KL has forwarded the request to the KKRs (consultant, on KL's behalf)",
            "responses": {"200": _json(obj), **_errors(404), **conflict}}},
        "/api/appointments/{request_id}/appointees": {"parameters": [request_id], "post": {
            "summary": "An appointee returned by KL: added to the roster and welcomed (consultant)",
            "requestBody": _body(appointee),
            "responses": {"201": _json(obj, "Registered"), **_errors(400, 404, 413, 422), **conflict}}},
    }


def _database_routes() -> dict:
    code = {"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
            "description": "Database code, e.g. DHRD"}
    consultant = {"type": "object", "nullable": True, "required": ["name", "email"], "additionalProperties": False,
                  "properties": {"name": {"type": "string", "maxLength": 200}, "email": {"type": "string"}},
                  "description": "the responsible RKKP consultant; Reply-To of the appointment e-mails"}
    database = {"type": "object", "required": ["code", "name", "consultant"], "properties": {
        "code": {"type": "string"}, "name": {"type": "string"}, "consultant": consultant,
        "justification": _NULLABLE_TEXT}}
    edits = {"name": {"type": "string", "maxLength": 200}, "consultant": consultant}
    new = {"type": "object", "required": ["code", "name"], "additionalProperties": False, "properties": {
        "code": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9-]{1,19}$"}, **edits}}
    return {
        "/api/databases": {
            "get": {"summary": "The clinical quality databases",
                    "responses": {"200": _json({"type": "array", "items": database})}},
            "post": {"summary": "Add a database (admin)", "security": _ADMIN, "requestBody": _body(new),
                     "responses": {"201": _json(database, "Added"), **_errors(400, 413, 422),
                                   "409": _json(_ref("Error"), "The code exists")}}},
        "/api/databases/{code}": {"parameters": [code], "put": {
            "summary": "Change a database's name or responsible consultant (admin); the code stays",
            "security": _ADMIN, "requestBody": _body({"type": "object", "additionalProperties": False,
                                                      "properties": {"code": {"type": "string"}, **edits}}),
            "responses": {"200": _json(database), **_errors(400, 404, 413, 422)}}},
    }


def _audit_routes() -> dict:
    entry = {"type": "object", "required": ["at", "actor", "action", "target"], "properties": {
        "at": {"type": "string", "description": "ISO time, to the microsecond"},
        "seq": {"type": "integer", "description": "the order entries were stored in, across all processes"},
        "id": {"type": "string"}, "actor": {"type": "string"}, "action": {"type": "string"},
        "target": {"type": "string"}, "old": {"type": "object", "nullable": True},
        "new": {"type": "object", "nullable": True}}}
    filters = [{"name": name, "in": "query", "schema": {"type": "string"}}
               for name in ("actor", "target", "since", "until")]
    filters.append({"name": "action", "in": "query", "schema": {"type": "string", "enum": sorted(audit.ACTIONS)},
                    "description": "exactly one action; any other is refused (422) with the list"})
    filters.append({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}})
    filters.append({"name": "before", "in": "query", "schema": {"type": "string"},
                    "description": "where the page starts: the `before` of the previous page's `Link` header"})
    page = _json({"type": "array", "items": entry})
    page["headers"] = {"Link": {"schema": {"type": "string"}, "description": (
        '`<…?before=…>; rel="next"`: the next page (same filters), when there are more entries')}}
    return {"/api/audit": {"get": {
        "summary": "The audit trail, newest first by seq, in pages of `limit` (admin): reads of contact data, "
                   "changes with old and new values, broadcasts, acknowledgements, replies, reminders",
        "parameters": filters,
        "responses": {"200": page, **_errors(422)}}}}


@lru_cache(maxsize=1)
def document() -> dict:
    region_contact = _contact_routes(_PLACE, "ContactAnswer", "a region's KKR contact")
    region_contact["get"] = {"summary": "Who is the KKR contact for a region or municipality",
                             "responses": {"200": _json(_ref("ContactAnswer")), **_errors(404, 422)}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "kkr-bot API", "version": "1.0.0",
                 "description": "The RKKP → KKR → municipality directory and communication chain."},
        "paths": _secured({
            "/api/health": {"get": {"summary": "Liveness", "responses": {"200": _json(
                {"type": "object", "properties": {"status": {"type": "string", "enum": ["ok"]}}})}}},
            "/api/": {"get": {"summary": "The API's name, version and links to this document and its reference",
                              "responses": {"200": _json({"type": "object", "required": ["name", "version", "links"],
                                                          "properties": {"name": {"type": "string"},
                                                                         "version": {"type": "string"},
                                                                         "description": {"type": "string"},
                                                                         "links": {"type": "object"}}})}}},
            "/api/docs": {"get": {"summary": "This document rendered (Swagger UI, served from this origin)",
                                  "responses": {"200": {"description": "an HTML page",
                                                        "content": {"text/html": {"schema": {"type": "string"}}}}}}},
            "/api/regions": {"get": {"summary": "The five regions and their KKR contact status",
                                     "responses": {"200": _json({"type": "array", "items": _ref("ContactAnswer")})}}},
            "/api/regions/{region}/contact": region_contact,
            "/api/municipalities": {"get": {
                "summary": "Municipalities, optionally of one region",
                "parameters": [{"name": "region", "in": "query", "schema": _PLACE_NAME}],
                "responses": {"200": _json({"type": "array", "items": _ref("Municipality")}), **_errors(404, 422)}}},
            "/api/municipalities/{municipality}/contact": _contact_routes(
                _MUNI, "Municipality", "a municipality's contact person"),
            "/api/contacts": {"get": {
                "summary": "Contact persons",
                "parameters": [
                    {"name": "role", "in": "query", "schema": {"type": "string", "enum": ["kkr", "municipal", "kl"]}},
                    {"name": "region", "in": "query", "schema": _PLACE_NAME}],
                "responses": {"200": _json({"type": "array", "items": _ref("Person")}), **_errors(404, 422)}}},
            "/api/contacts.vcf": {"get": {
                "summary": "Every contact person as vCard 4.0, for Outlook's contacts (audited as a read)",
                "responses": {"200": {"description": "OK",
                                      "content": {"text/vcard": {"schema": {"type": "string"}}}}}}},
            **_broadcast_routes(),
            **_hearing_routes(),
            **_audit_routes(),
            **_database_routes(),
            **_steering_routes(),
            "/api/openapi.json": {"get": {"summary": "This document",
                                          "responses": {"200": _json({"type": "object"})}}},
        }),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "python -m bot token create --role ROLE --name NAME"}},
        },
    }
