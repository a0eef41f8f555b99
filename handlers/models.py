"""Plain result types that every channel (Slack, shell, API) renders."""

from __future__ import annotations

from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Person:
    """A named contact: a KKR contact, the KL contact or a municipal contact."""

    name: str
    email: str
    role: str
    title: str | None = None
    phone: str | None = None
    slack_id: str | None = None
    organisation: str | None = None
    region: str | None = None
    municipality: str | None = None

    @classmethod
    def from_doc(cls, doc: dict) -> "Person":
        return cls(**{name: doc.get(name) for name in PERSON_FIELDS})

    def to_dict(self) -> dict:
        # Every field is a string or None: a plain copy, not asdict's deep one.
        return {name: getattr(self, name) for name in PERSON_FIELDS}


PERSON_FIELDS = tuple(f.name for f in fields(Person))


@dataclass(frozen=True)
class RegionRef:
    code: str
    name: str
    name_en: str

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "name_en": self.name_en}


@dataclass(frozen=True)
class MunicipalityRef:
    code: str
    name: str
    official_name: str
    region: str
    contact: Person | None = None

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "official_name": self.official_name, "region": self.region,
                "contact": self.contact.to_dict() if self.contact else None}


@dataclass(frozen=True)
class ContactAnswer:
    """Who to write to for a region, and how a message gets there.

    ``status`` is "pending" while the region has no agreed KKR contact; then
    ``route_via`` names the KL contact, as the playbook prescribes.
    """

    region: RegionRef
    status: str
    contact: Person | None
    route_via: Person | None
    municipality: MunicipalityRef | None = None
    query: str | None = None
    exact: bool = True

    def to_dict(self) -> dict:
        return {
            "region": self.region.to_dict(),
            "status": self.status,
            "contact": self.contact.to_dict() if self.contact else None,
            "route_via": self.route_via.to_dict() if self.route_via else None,
            "municipality": self.municipality.to_dict() if self.municipality else None,
            "match": {"query": self.query, "exact": self.exact} if self.query is not None else None,
        }


@dataclass(frozen=True)
class Reply:
    """What the bot answers to a command, before a channel renders it."""

    kind: str                                   # "contact" | "overview" | "help" | "roster"
    answers: tuple[ContactAnswer, ...] = field(default_factory=tuple)
    roster: dict | None = None                  # a steering group, for "roster"
