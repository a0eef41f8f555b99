"""The seed directory shipped with kkr-bot, as data files.

``regions.json``, ``municipalities.json`` and ``contacts.json`` beside this
module hold the 5 regions, the 98 municipalities with their official names
and codes, and the contacts of the RKKP playbook's Table 1.  Putting them in
the store is the domain's job (``handlers.seeding``); this module only reads
them.
"""

from __future__ import annotations

import json
from pathlib import Path

SEED_FOLDER = Path(__file__).with_name("seed")


def load_seed(name: str) -> list[dict]:
    """The items of one seed file, e.g. ``load_seed("regions")``."""
    with open(SEED_FOLDER / f"{name}.json", encoding="utf-8") as handle:
        return json.load(handle)["items"]
