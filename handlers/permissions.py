"""Who may do what: one rule per act, the same in Slack, the API, the shell
and the e-mailed pages.

Each channel turns its caller into an ``Actor`` (an API token's role; a
Slack user, who is a consultant or a member of the workspace; the shell's
local operator; the holder of an e-mailed link, who is that delivery's
recipient) and declares the ``Act`` at the place a request enters: the
API's ``@requires(Act.X)``, a Bolt listener's ``middleware=[requires(Act.X)]``,
the e-mail page's ``@on_link(Act.X)``.  ``admit`` allows or raises
``Forbidden`` with the act's reason, so a refusal reads the same wherever
it happens.

Some acts are a recipient's (acknowledging, replying, a KKR contact's
forward): which delivery is only known inside the handler, so the entry
admits anyone who could be its recipient and the handler calls
``require_recipient`` with the delivery it found.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum, StrEnum

from handlers.directory import DIRECTORY
from handlers.enums import Kind, Tier
from handlers.errors import Forbidden

APPOINTMENT = Kind.APPOINTMENT  # the kind of an appointment request (handlers.appointments.KIND)


class Role(IntEnum):
    """Standing, each including the ones before it."""

    NONE = 0        # no standing of one's own: the holder of an e-mailed link
    MEMBER = 1      # a member of the Slack workspace (municipal and KKR contacts too)
    READER = 2      # RKKP staff with an API token
    CONSULTANT = 3  # RKKP's consultants: KKRBOT_CONSULTANTS, the directory's consultants, consultant tokens
    ADMIN = 4       # admin tokens and the shell's local operator


class Act(StrEnum):
    OPEN = "open"                            # health, the API document, help and hints
    READ_DIRECTORY = "read_directory"        # contacts, regions, databases, steering groups
    READ_STATUS = "read_status"              # broadcasts and their status per region
    VIEW_DASHBOARD = "view_dashboard"        # /status: broadcasts as far as they reached the signed-in person
    READ_APPOINTMENTS = "read_appointments"  # appointment requests and their appointees
    READ_REPORT = "read_report"              # a hearing's report
    READ_MESSAGE = "read_message"            # a delivered message, as its e-mailed page shows it
    READ_AUDIT = "read_audit"
    BROADCAST = "broadcast"
    FORWARD = "forward"                      # a broadcast to the municipalities of a region
    ACKNOWLEDGE = "acknowledge"
    REPLY = "reply"                          # the recipient's own reply to a hearing
    REPLY_FOR = "reply_for"                  # a reply recorded on someone's behalf
    CLOSE_HEARING = "close_hearing"
    APPOINT = "appoint"                      # ask KL to appoint representatives
    FORWARD_TO_KKR = "forward_to_kkr"        # mark an appointment request passed on to the KKRs
    ADD_APPOINTEE = "add_appointee"
    EDIT_STEERING = "edit_steering"          # justifications, reporting municipalities
    EDIT_DIRECTORY = "edit_directory"
    EDIT_DATABASES = "edit_databases"
    CHOOSE_DIGEST = "choose_digest"          # start or stop one's weekly digest (its link)


@dataclass(frozen=True)
class Message:
    """A delivery as a rule sees it: which one, whose, what."""

    delivery: str                   # "broadcast:1/delivery:2" or "appointment:1/delivery:2"
    recipient_slack_id: str | None
    tier: int
    kind: str | None = None         # the broadcast's kind, where a rule asks
    recipient_email: str | None = None

    @classmethod
    def of(cls, record_id: int, delivery: dict, kind: str | None = None, collection: str = "broadcast",
           ) -> "Message":
        """``delivery`` of record ``record_id`` of ``collection`` ("broadcast" or "appointment")."""
        recipient = delivery.get("recipient") or {}
        return cls(f"{collection}:{record_id}/delivery:{delivery['id']}", recipient.get("slack_id"),
                   delivery["tier"], kind, recipient.get("email"))


@dataclass(frozen=True)
class Rule:
    """Who may: anyone with ``role`` (None: no role suffices), and the
    recipient of a message that ``recipient`` accepts (None: no recipient
    as such).  ``kinds``: the broadcast kinds the act applies to at all."""

    reason: str
    role: Role | None
    recipient: Callable[[Message], bool] | None = None
    kinds: tuple[str, ...] = ()
    kind_reason: str = "error.forbidden"


def _any(_message: Message) -> bool:
    return True


RULES: dict[Act, Rule] = {
    Act.OPEN: Rule("error.forbidden", Role.NONE),
    Act.READ_DIRECTORY: Rule("permission.read_directory", Role.MEMBER),
    Act.READ_STATUS: Rule("permission.read_status", Role.READER),
    # Every directory contact who signed in; the page shows a KKR or municipal contact only their own places.
    Act.VIEW_DASHBOARD: Rule("permission.view_dashboard", Role.MEMBER),
    Act.READ_APPOINTMENTS: Rule("permission.read_appointments", Role.READER),
    Act.READ_REPORT: Rule("permission.read_report", Role.CONSULTANT),
    Act.READ_MESSAGE: Rule("permission.read_message", None, _any),
    Act.READ_AUDIT: Rule("permission.read_audit", Role.ADMIN),
    Act.BROADCAST: Rule("broadcast.consultants_only", Role.CONSULTANT),
    Act.FORWARD: Rule("forward.not_yours", Role.CONSULTANT, lambda m: m.tier == Tier.REGION),
    Act.ACKNOWLEDGE: Rule("ack.not_yours", None, _any),
    Act.REPLY: Rule("hearing.not_yours", None, _any),
    Act.REPLY_FOR: Rule("permission.reply_for", Role.CONSULTANT),
    Act.CLOSE_HEARING: Rule("permission.close_hearing", Role.CONSULTANT),
    Act.APPOINT: Rule("permission.appoint", Role.CONSULTANT),
    Act.FORWARD_TO_KKR: Rule("appointment.kl_only_forwarded", Role.CONSULTANT, lambda m: m.tier == Tier.DIRECT,
                             (APPOINTMENT,), "permission.not_an_appointment"),
    Act.ADD_APPOINTEE: Rule("appointment.kl_only", Role.CONSULTANT, lambda m: m.tier == Tier.DIRECT,
                            (APPOINTMENT,), "permission.not_an_appointment"),
    Act.EDIT_STEERING: Rule("permission.edit_steering", Role.CONSULTANT),
    Act.EDIT_DIRECTORY: Rule("permission.edit_directory", Role.ADMIN),
    Act.EDIT_DATABASES: Rule("permission.edit_databases", Role.ADMIN),
    Act.CHOOSE_DIGEST: Rule("permission.choose_digest", None, _any, ("digest",)),
}


@dataclass(frozen=True)
class Actor:
    """Who is asking, as every channel describes them.

    ``name`` is how the audit trail names them.  A Slack user's ``role`` is
    established only as far as the act at hand needs it (a consultant asking
    ``/kkr`` is seen as a member)."""

    name: str
    role: Role
    slack_user: str | None = None
    delivery: str | None = None  # the holder of an e-mailed link: "broadcast:1/delivery:2"
    email: str | None = None     # a Teams user: the e-mail Teams vouches for (lower case)

    @property
    def can_receive(self) -> bool:
        """Whether messages reach this actor: Slack and Teams users and link
        holders, not API tokens nor the shell."""
        return bool(self.slack_user or self.delivery or self.email)

    def receives(self, message: Message) -> bool:
        if self.delivery:
            return self.delivery == message.delivery
        if self.email:
            return self.email == (message.recipient_email or "").strip().lower()
        return bool(self.slack_user) and self.slack_user == message.recipient_slack_id


@functools.lru_cache(maxsize=256)  # every API request asks; an Actor is immutable, so one can be shared
def token_holder(name: str, role: str) -> Actor:
    """An API caller by the name and role of their token."""
    return Actor(name, Role[role.upper()])


def operator(name: str) -> Actor:
    """The shell's user: someone logged in where the store lives, who can
    read its files and make an admin token with the CLI anyway."""
    return Actor(name, Role.ADMIN)


def link_holder(record_id: int, delivery_id: int, collection: str = "broadcast") -> Actor:
    """Whoever opens an e-mailed link: the link is the delivery's own, so they
    act as its recipient and nothing more."""
    ref = f"{collection}:{record_id}/delivery:{delivery_id}"
    return Actor("link:" + ref, Role.NONE, delivery=ref)


def slack_actor(user_id: str, role: Role = Role.MEMBER) -> Actor:
    return Actor(f"slack:{user_id}", role, slack_user=user_id)


def slack_role(store, user_id: str, configured: tuple[str, ...] = (), email: Callable[[], str | None] = lambda: None,
               ) -> Role:
    """A consultant: listed in KKRBOT_CONSULTANTS, or a directory contact with
    the consultant role, matched by Slack ID or else by ``email()`` (the
    e-mail of the Slack profile, asked only when the ID does not settle it).
    Anyone else in the workspace is a member."""
    if user_id in configured:
        return Role.CONSULTANT
    with store.read(DIRECTORY) as view:
        consultants = view.find("contacts", role="consultant")
    if any(person.get("slack_id") == user_id for person in consultants):
        return Role.CONSULTANT
    address = (email() or "").strip().lower()
    if address and any(person.get("email") == address for person in consultants):
        return Role.CONSULTANT
    return Role.MEMBER


def teams_actor(store, aad_object_id: str, email: str | None) -> Actor:
    """A Teams user, by their Entra object id: a consultant when their e-mail
    (from Teams' roster, which the connector vouches for) is a directory
    contact with the consultant role, else a member, as in Slack; and the
    recipient of the messages sent to that e-mail.  Without an e-mail they
    receive nothing, so they may only do what anyone may."""
    address = (email or "").strip().lower()
    with store.read(DIRECTORY) as view:
        consultant = bool(address) and any(p.get("email") == address for p in view.find("contacts", role="consultant"))
    return Actor(f"teams:{aad_object_id}", Role.CONSULTANT if consultant else Role.MEMBER, email=address or None)


def needs_role(act: Act) -> Role | None:
    """The role an entry must establish before it can decide ``act``: above
    what every Slack user has, else None (nothing to look up)."""
    role = RULES[act].role
    return role if role is not None and role > Role.MEMBER else None


def admit(actor: Actor, act: Act, message: Message | None = None) -> Actor:
    """``actor`` if they may do ``act`` (on ``message``), else ``Forbidden``
    with the act's reason.

    Without ``message``, an actor whom messages reach is let through on an
    act a recipient may do: the handler decides with the delivery it finds
    (``require_recipient``)."""
    rule = RULES[act]
    if rule.role is not None and actor.role >= rule.role:
        return actor
    if rule.recipient is not None and actor.can_receive:
        if message is None:
            return actor
        if rule.kinds and message.kind not in rule.kinds:
            _log_refusal("refused %s on %s to %s: not its kind", act, message.delivery, actor.name)
            raise Forbidden(rule.kind_reason)
        if actor.receives(message) and rule.recipient(message):
            return actor
    _log_refusal("refused %s to %s", act, actor.name)
    raise Forbidden(rule.reason)


def _log_refusal(text: str, *values) -> None:
    """A refusal, in the log at info level.  (logging is imported here, on
    the first refusal: a look-up in the shell starts faster without it.)"""
    import logging

    logging.getLogger(__name__).info(text, *values)


def recipient_to_check(actor: Actor, act: Act) -> str | None:
    """The Slack user whom a handler must find to be the message's recipient
    for ``act``, or None when ``actor``'s role already allows it."""
    rule = RULES[act]
    if rule.role is not None and actor.role >= rule.role:
        return None
    return actor.slack_user


def require_recipient(act: Act, message: Message, slack_user: str | None) -> None:
    """The per-delivery half of a recipient's act, for handlers: the Slack
    user ``slack_user`` must be the recipient ``act`` allows.  None: the
    entry has decided already (a consultant, or the link holder's page)."""
    if slack_user is not None:
        admit(slack_actor(slack_user), act, message)
