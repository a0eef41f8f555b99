"""The records of the chain, typed: broadcasts, their deliveries, hearing
replies and appointment requests (where they are stored: ``handlers.collections``).
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from typing import ClassVar

from handlers.enums import AppointmentState, BroadcastState, DeliveryState, HearingState, Kind, Purpose, ReplyKind, Tier
from handlers.errors import Unreadable

# After Netflix Dispatch's ``case/models.py``: each record the chain stores is
# a dataclass with ``from_doc`` (the stored document as the store hands it
# out, with its ``id``) and ``to_doc`` (the same document back).  The stored
# format does not change: a value is loaded into its enum, and dumped as the
# plain string or number it was; a field the document lacks stays absent;
# a field this version does not know is kept as it is and written back, so
# an older process (a worker still running during a deploy) never drops
# what a newer one wrote.  A value outside its enum, a required field
# missing or a document that is not one is refused with ``Unreadable``,
# which names the record, the field and the value.


def _typed(load=None, dump=None, **kwargs):
    return field(metadata={"load": load, "dump": dump}, **kwargs)


def _enum(kind, **kwargs):
    # The member of a stored value, by the enum's own table (faster than calling it); KeyError when unknown.
    return _typed(kind._value2member_map_.__getitem__, lambda value: kind(value).value, **kwargs)


def _part(kind, **kwargs):
    return _typed(lambda doc: None if doc is None else kind.from_doc(doc), lambda value: value.to_doc(), **kwargs)


def _parts(kind, **kwargs):
    return _typed(lambda docs: [kind.from_doc(d) for d in docs], lambda values: [v.to_doc() for v in values],
                  **kwargs)


@dataclass(frozen=True, kw_only=True)
class Record:
    """The ``from_doc``/``to_doc`` of every record below."""

    NAME: ClassVar[str] = "record"
    _extra: dict = field(default_factory=dict, repr=False, compare=False)  # fields this version does not know
    _absent: frozenset = field(default=frozenset(), repr=False, compare=False)  # known fields the doc lacked
    _order: tuple = field(default=(), repr=False, compare=False)  # the doc's order of fields, kept on write

    @classmethod
    def _fields(cls) -> list[tuple]:
        if "_plan" not in cls.__dict__:  # worked out once per class: from_doc runs for every delivery read
            cls._plan = [(f.name, f.metadata.get("load"), f.metadata.get("dump"),
                          f.default is MISSING and f.default_factory is MISSING,
                          f.default_factory() if f.default_factory is not MISSING else f.default)
                         for f in fields(cls) if not f.name.startswith("_")]
            cls._known = frozenset(name for name, *_ in cls._plan)
            cls._required = frozenset(name for name, _, _, required, _ in cls._plan if required)
            cls._defaults = {name: default for name, _, _, required, default in cls._plan if not required}
            cls._lists = frozenset(name for name, default in cls._defaults.items() if isinstance(default, list))
            cls._loaders = [(name, load, default) for name, load, _, _, default in cls._plan if load is not None]
        return cls._plan

    @classmethod
    def from_doc(cls, doc):
        """The record of a stored document; ``Unreadable`` when it cannot be one."""
        if not isinstance(doc, dict):
            raise Unreadable("error.unreadable_record", record=cls.NAME, field="–", value=_shown(doc))
        cls._fields()
        missing = cls._required - doc.keys()
        if missing:
            raise Unreadable("error.unreadable_record", record=_named(cls, doc), field=min(missing), value="–")
        # Dict operations, not a loop over every field: a delivery is read this way on every status.
        known = cls._known
        values = {**cls._defaults, **{k: v for k, v in doc.items() if k in known}}
        absent = known - doc.keys()
        for name in cls._lists & absent:
            values[name] = []
        for name, load, default in cls._loaders:
            value = values[name]
            if name in doc and (value is not None or default is not None):
                try:
                    values[name] = load(value)
                except (TypeError, ValueError, KeyError):
                    raise Unreadable("error.unreadable_record", record=_named(cls, doc), field=name,
                                     value=_shown(value)) from None
        record = object.__new__(cls)  # past the dataclass's __init__, which checks nothing here
        record.__dict__.update(values, _extra={k: v for k, v in doc.items() if k not in known},
                               _absent=absent, _order=tuple(doc))
        return record

    @classmethod
    def field_of(cls, doc: dict, name: str):
        """One field of a stored document, loaded and checked as ``from_doc``
        loads it: for the paths that read one field of every delivery on
        each write (its state, to know what is due), where all would cost."""
        cls._fields()
        if name not in doc:
            if name in cls._required:
                raise Unreadable("error.unreadable_record", record=_named(cls, doc), field=name, value="–")
            return cls._defaults[name]
        value = doc[name]
        load, default = next((load, default) for field, load, default in cls._loaders if field == name)
        if value is None and default is None:
            return None
        try:
            return load(value)
        except (TypeError, ValueError, KeyError):
            raise Unreadable("error.unreadable_record", record=_named(cls, doc), field=name,
                             value=_shown(value)) from None

    def to_doc(self) -> dict:
        """The document to store (with ``id`` when it has one; the store drops it)."""
        out = {}
        for name, _load, dump, _required, default in self._fields():
            value = getattr(self, name)
            if name in self._absent and value == default:
                continue
            out[name] = dump(value) if dump is not None and value is not None else value
        out.update(self._extra)
        if self._order:
            out = {**{k: out[k] for k in self._order if k in out}, **out}
        return out


def _named(cls, doc: dict) -> str:
    return f"{cls.NAME}:{doc['id']}" if doc.get("id") is not None else cls.NAME


def _shown(value) -> str:
    return repr(value)[:80]


@dataclass(frozen=True, kw_only=True)
class Recipient(Record):
    """Who a delivery is for, as the directory had them when it was made."""

    NAME: ClassVar[str] = "recipient"
    name: str | None = None
    email: str | None = None
    role: str | None = None
    slack_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class Delivery(Record):
    """One message to one person: a notice of a broadcast or request, or a
    reminder, summary, closing message or welcome about it."""

    NAME: ClassVar[str] = "delivery"
    tier: Tier = _enum(Tier)
    region: str | None
    municipality: str | None = None
    recipient: Recipient | None = _part(Recipient)
    purpose: Purpose = _enum(Purpose, default=Purpose.NOTICE)  # older stores: notices only
    message: dict | None = None
    about: int | None = None
    fallback: bool = False
    channel: str | None = None
    attempts: int = 0
    lease_until: str | None = None
    sent_at: str | None = None
    ref: dict | None = None
    acknowledged_by: str | None = None
    acknowledged_at: str | None = None
    forwarded_at: str | None = None
    forwarded_by: str | None = None
    forwarded_on_behalf: bool = False
    unreachable: list = field(default_factory=list)
    state: DeliveryState = _enum(DeliveryState)
    last_error: str | None = None
    next_attempt_at: str | None = None
    lease_owner: str | None = None
    claimed_at: str | None = None
    id: int | None = None

    @property
    def is_notice(self) -> bool:
        return self.purpose == Purpose.NOTICE


@dataclass(frozen=True, kw_only=True)
class Broadcast(Record):
    """A broadcast's own document, or its entry in the index of broadcasts
    (which has the creation's ``key`` and repeats its state)."""

    NAME: ClassVar[str] = "broadcast"
    kind: Kind = _enum(Kind)
    database: str | None = None
    title: str | None = None
    body: str | None = None
    link: str | None = None
    deadline: str | None = None
    municipal_deadline: str | None = None
    created_by: str | None = None
    created_at: str | None = None
    key: str | None = None
    creator: dict | None = None
    state: BroadcastState | None = _enum(BroadcastState, default=None)  # older stores: none yet
    tz: str | None = None
    hearing_state: HearingState | None = _enum(HearingState, default=None)  # hearings only
    closed_at: str | None = None
    closed_by: str | None = None
    closing_message: str | None = None
    closing: dict | None = None
    id: int | None = None

    @property
    def is_hearing(self) -> bool:
        return self.kind == Kind.HEARING


@dataclass(frozen=True, kw_only=True)
class ReplyRevision(Record):
    """An earlier version of a hearing reply, kept when it was revised."""

    NAME: ClassVar[str] = "reply revision"
    text: str
    by: str | None = None
    at: str | None = None
    late: bool = False


@dataclass(frozen=True, kw_only=True)
class HearingReply(Record):
    """A municipality's reply to its KKR contact, or a region's consolidated reply."""

    NAME: ClassVar[str] = "reply"
    kind: ReplyKind = _enum(ReplyKind)
    region: str
    municipality: str | None = None
    text: str
    by: str | None = None
    at: str | None = None
    late: bool = False
    history: list[ReplyRevision] = _parts(ReplyRevision, default_factory=list)
    id: int | None = None


@dataclass(frozen=True, kw_only=True)
class AppointmentRequest(Record):
    """An appointment request's own document, or its entry in the index of requests."""

    NAME: ClassVar[str] = "appointment request"
    kind: Kind = _enum(Kind, default=Kind.APPOINTMENT)
    database: str | None = None
    database_name: str | None = None
    title: str | None = None
    body: str | None = None
    next_meeting: str | None = None
    seats: int | None = None
    chair_wanted: bool = False
    justification: str | None = None
    consultant: dict | None = None
    created_by: str | None = None
    created_at: str | None = None
    key: str | None = None
    creator: dict | None = None
    state: AppointmentState | None = _enum(AppointmentState, default=None)  # older stores: by its dates
    tz: str | None = None
    forwarded_to_kkr_at: str | None = None
    forwarded_by: str | None = None
    completed_at: str | None = None
    id: int | None = None
