"""The domain's closed vocabularies: states, kinds, tiers and purposes.

After Netflix Dispatch's ``case/enums.py``: one module holds every value a
record's state, kind, tier or purpose may take, so no other module writes
them as literals (a test scans the source for that).  They are ``StrEnum``
and ``IntEnum``: a member is equal to, and stored in JSON as, the plain
string or number that older versions wrote, so a store reads unchanged.
The changes of state are ``handlers.lifecycle``'s; the records that hold
these values are ``handlers.records``'.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class DeliveryState(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    ACKNOWLEDGED = "acknowledged"


class BroadcastState(StrEnum):
    CREATING = "creating"
    OPEN = "open"
    DONE = "done"
    MOVED = "moved"  # an appointment request that an older version kept as a broadcast; see handlers.migration


class HearingState(StrEnum):
    OPEN = "open"
    PAST_DEADLINE = "past_deadline"
    CLOSED = "closed"


class AppointmentState(StrEnum):
    CREATING = "creating"
    OPEN = "open"
    FORWARDED = "forwarded"
    COMPLETE = "complete"


class Kind(StrEnum):
    """What a record sent down the chain is."""

    ANNUAL_REPORT = "annual_report"
    HEARING = "hearing"
    INFO = "info"
    # An appointment request; older versions kept them as broadcasts of this kind.
    APPOINTMENT = "appointment"
    DIGEST = "digest"  # a week's digest: one delivery per person (handlers.digest)


# The kinds a consultant may broadcast, in the order the API's error lists them.
BROADCAST_KINDS = (Kind.ANNUAL_REPORT, Kind.HEARING, Kind.INFO)


class Tier(IntEnum):
    """How far down the chain a delivery goes."""

    DIRECT = 0        # outside the chain: to KL for an appointment, a summary to the consultant, a welcome
    REGION = 1        # to a region's KKR contact (or KL standing in)
    MUNICIPALITY = 2  # forwarded to a municipality's contact person


class Purpose(StrEnum):
    """Why a delivery is sent: the record itself, or a message about it."""

    NOTICE = "notice"      # the broadcast or request itself
    REMINDER = "reminder"  # of a notice not acknowledged or answered
    SUMMARY = "summary"    # who is missing after a hearing's deadline
    CLOSING = "closing"    # a closed hearing's final message
    WELCOME = "welcome"    # to an appointee
    DIGEST = "digest"      # the weekly digest of what waits for the recipient
    DEADLINE = "deadline_changed"  # a hearing's deadline was moved: the new date and its calendar event


class ReplyKind(StrEnum):
    """Who a hearing reply is from."""

    MUNICIPAL = "municipal"  # a municipality, to its KKR contact
    REGIONAL = "regional"    # the region's consolidated reply, to RKKP


class AppointeeRole(StrEnum):
    REPRESENTATIVE = "representative"
    CHAIR = "chair"
