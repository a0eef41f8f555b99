"""Escaping what people typed before it goes into Slack mrkdwn.

Slack reads ``&``, ``<`` and ``>`` as control characters in mrkdwn text and
in a message's ``text``: ``<!channel>`` notifies a whole channel, ``<@U…>``
mentions someone, ``<https://…|Click>`` hides where a link goes.  Slack's
formatting reference asks for exactly these three to be sent as ``&amp;``,
``&lt;`` and ``&gt;`` when they are meant as text, and decodes them for
display.

The Slack renderers escape the *values* (titles, names, replies, the place
someone typed) with ``escaped`` before our templates and ``*bold*`` are put
around them, so our own formatting stays formatting.  ``plain_text`` objects
(headers, buttons, modal titles, an input's initial value) are not parsed
for mrkdwn or control sequences and take raw text.  E-mail and the HTML page
have their own escaping and never see this.
"""

from __future__ import annotations

import dataclasses

_CONTROL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """``text`` with Slack's three control characters as entities."""
    return text.translate(_CONTROL)


def escaped(value):
    """A copy of ``value`` with every string in it escaped: dicts (values,
    not keys), lists, tuples and dataclasses, to any depth; anything else as
    it is."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {key: escaped(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(escaped(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.replace(value, **{f.name: escaped(getattr(value, f.name))
                                             for f in dataclasses.fields(value) if f.init})
    return value
