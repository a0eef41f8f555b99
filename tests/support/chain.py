"""A hearing sent down the chain by e-mail, for tests that drive it over the
API and the e-mailed pages and read the messages from the outbox."""

from __future__ import annotations

import email
import re
from email import policy

from bot.channels.outbox import OutboxChannel
from bot.dispatch import Dispatcher
from handlers.directory_admin import set_municipality_contact
from handlers.tokens import create_token
from tests.conftest import NOW

HEARING = {"kind": "hearing", "database": "DHRD", "title": "Kommunale indikatorer", "deadline": "2026-12-15"}


class Chain:
    """A hearing sent to the five regions by e-mail (the outbox); Viborg (Bo)
    and Skive (Sif) have municipal contacts, the 17 other municipalities of
    Midtjylland none."""

    def __init__(self, store, client, folder):
        self.store, self.client, self.folder = store, client, folder
        token, _ = create_token(store, "consultant", "Anne Nakano", NOW)
        self.consultant = {"Authorization": f"Bearer {token}"}
        admin, _ = create_token(store, "admin", "Audit reader", NOW)
        self.admin = {"Authorization": f"Bearer {admin}"}
        response = client.post("/api/broadcasts", json=HEARING, headers=self.consultant)
        assert response.status_code == 201, response.json
        self.id = response.json["id"]
        self.send()

    def send(self):
        outbox = OutboxChannel(self.folder, "kkr-bot@rkkp.dk", "https://kkr.rkkp.dk", "da")
        Dispatcher(self.store, lambda: NOW, [outbox]).drain()

    def mails(self, address):
        found = []
        for path in sorted(self.folder.glob("*.eml"), key=lambda p: int(re.findall(r"\d+", p.name)[-1])):
            message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
            if address in str(message["To"]):
                found.append(message)
        return found

    def link(self, address):
        """The ``/ack/<token>`` path of the first message to ``address``."""
        text = self.mails(address)[0].get_body(("plain",)).get_content()
        return re.search(r"https://kkr\.rkkp\.dk(/ack/\S+)", text).group(1)

    def region(self, code):
        status = self.client.get(f"/api/broadcasts/{self.id}").json
        return next(r for r in status["regions"] if r["region"]["code"] == code)

    def forward(self, region="Midtjylland"):
        response = self.client.post(f"/api/broadcasts/{self.id}/forward", json={"region": region},
                                    headers=self.consultant)
        assert response.status_code == 200, response.json
        self.send()
        return response.json


def new_chain(store, client, folder) -> Chain:
    set_municipality_contact(store, "Viborg", {"name": "Bo Ek", "email": "bo@viborg.dk"}, NOW)
    set_municipality_contact(store, "Skive", {"name": "Sif Dahl", "email": "sif@skive.dk"}, NOW)
    return Chain(store, client, folder)
