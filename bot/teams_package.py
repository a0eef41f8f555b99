"""The Teams app package (``python -m bot teams package``): the zip a tenant
admin uploads to make kkr-bot a Teams app.

It holds ``manifest.json`` (schema v1.22: the bot in personal chats, group
chats and teams, the commands people can pick, the Azure bot's app id),
its English translation ``en.json`` (the manifest itself is Danish, the
language of our users), and the two icons Teams asks for, drawn here so that
no image library is needed: ``color.png`` 192×192 and ``outline.png``
32×32, white on transparent.
"""

from __future__ import annotations

import io
import json
import re
import struct
import tomllib
import zipfile
import zlib
from pathlib import Path
from urllib.parse import urlsplit

from handlers.errors import Invalid
from handlers.i18n import t

MANIFEST_VERSION = "1.22"
SCHEMA_URL = f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
LOCALIZATION_SCHEMA_URL = (f"https://developer.microsoft.com/json-schemas/teams/v{MANIFEST_VERSION}/"
                           "MicrosoftTeams.Localization.schema.json")
SCOPES = ("personal", "team", "groupChat")
# What people type, the same in every language; the descriptions are translated.
COMMANDS = (("kkr", "teams.command.kkr"), ("hjælp", "teams.command.help"), ("status", "teams.command.status"),
            ("rapport", "teams.command.report"), ("log ind", "teams.command.signin"))
ACCENT = (0x1F, 0x5C, 0x99)
RKKP_URL = "https://www.rkkp.dk"
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_SEMVER = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)  # the same inputs give the same zip, byte for byte


def app_id(env) -> str:
    """The Azure bot's app id from ``TEAMS_APP_ID``, or ``Invalid``."""
    value = (env.get("TEAMS_APP_ID") or "").strip()
    if not value:
        raise Invalid("teams.app_id_missing")
    if not _GUID.match(value):
        raise Invalid("teams.app_id_invalid", value=value)
    return value


def project_version() -> str:
    """kkr-bot's own version (pyproject.toml), as the app's default version."""
    with open(Path(__file__).parents[1] / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


def manifest(bot_id: str, public_url: str, version: str) -> dict:
    """The app manifest, in Danish, with ``en.json`` as its English translation."""
    if not _SEMVER.match(version):
        raise Invalid("teams.version_invalid", value=version)
    command_lists = [{"scopes": [scope], "commands": [{"title": title, "description": t(key, "da")}
                                                      for title, key in COMMANDS]} for scope in SCOPES]
    return {
        "$schema": SCHEMA_URL,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": bot_id,
        "localizationInfo": {"defaultLanguageTag": "da",
                             "additionalLanguages": [{"languageTag": "en", "file": "en.json"}]},
        "developer": {"name": "RKKP", "websiteUrl": RKKP_URL, "privacyUrl": RKKP_URL, "termsOfUseUrl": RKKP_URL},
        "name": {"short": "kkr-bot", "full": t("teams.manifest.name_full", "da")},
        "description": {"short": t("teams.manifest.short", "da"), "full": t("teams.manifest.full", "da")},
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT),
        "bots": [{"botId": bot_id, "scopes": list(SCOPES), "commandLists": command_lists,
                  "isNotificationOnly": False, "supportsFiles": False}],
        "validDomains": [urlsplit(public_url).hostname] if urlsplit(public_url).hostname else [],
        "webApplicationInfo": {"id": bot_id, "resource": f"api://botid-{bot_id}"},
    }


def translation(lang: str) -> dict:
    """The manifest's texts in ``lang``, as a Teams localization file."""
    texts = {"$schema": LOCALIZATION_SCHEMA_URL, "name.short": "kkr-bot",
             "name.full": t("teams.manifest.name_full", lang),
             "description.short": t("teams.manifest.short", lang), "description.full": t("teams.manifest.full", lang)}
    for number, _scope in enumerate(SCOPES):
        for index, (_title, key) in enumerate(COMMANDS):
            texts[f"bots[0].commandLists[{number}].commands[{index}].description"] = t(key, lang)
    return texts


def write_package(out: Path, bot_id: str, public_url: str, version: str) -> None:
    """Write the zip to ``out``; nothing is written when a value is refused."""
    files = {
        "manifest.json": json.dumps(manifest(bot_id, public_url, version), ensure_ascii=False, indent=2),
        "en.json": json.dumps(translation("en"), ensure_ascii=False, indent=2),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, content in files.items():
            zipped.writestr(zipfile.ZipInfo(name, _FIXED_TIME), content, zipfile.ZIP_DEFLATED)
    out.write_bytes(buffer.getvalue())


# The icons: the chain kkr-bot carries, RKKP at the top, the KKR contact in
# the middle and three municipalities below, as circles joined by lines (in
# units of the icon's side).
_NODES = ((0.5, 0.2, 0.12), (0.5, 0.5, 0.095), (0.2, 0.8, 0.08), (0.5, 0.8, 0.08), (0.8, 0.8, 0.08))
_LINKS = ((0, 1), (1, 2), (1, 3), (1, 4))
_LINE = 0.035
_SAMPLES = 3  # per side of a pixel, for smooth edges


def color_icon() -> bytes:
    """192×192: the chain in white on the accent colour, opaque."""
    cover = _coverage(192)
    rows = [[tuple(round(c + (255 - c) * k) for c in ACCENT) + (255,) for k in row] for row in cover]
    return _png(rows)


def outline_icon() -> bytes:
    """32×32: the chain in white on a transparent background, as Teams asks."""
    return _png([[(255, 255, 255, round(255 * k)) for k in row] for row in _coverage(32)])


def _coverage(size: int) -> list[list[float]]:
    """How much of each pixel the chain covers, 0 to 1."""
    step = 1 / (size * _SAMPLES)
    offsets = [(i + 0.5) * step for i in range(_SAMPLES)]
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            hits = sum(_inside(x / size + dx, y / size + dy) for dy in offsets for dx in offsets)
            row.append(hits / _SAMPLES ** 2)
        rows.append(row)
    return rows


def _inside(x: float, y: float) -> bool:
    if any((x - cx) ** 2 + (y - cy) ** 2 <= r * r for cx, cy, r in _NODES):
        return True
    return any(_near_segment(x, y, _NODES[a], _NODES[b]) for a, b in _LINKS)


def _near_segment(x: float, y: float, start, end) -> bool:
    (ax, ay, _), (bx, by, _) = start, end
    dx, dy = bx - ax, by - ay
    along = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)))
    return (x - ax - along * dx) ** 2 + (y - ay - along * dy) ** 2 <= (_LINE / 2) ** 2


def _png(rows: list[list[tuple[int, int, int, int]]]) -> bytes:
    """An 8-bit RGBA PNG of ``rows`` (PNG specification, ISO/IEC 15948)."""
    height, width = len(rows), len(rows[0])
    raw = b"".join(b"\x00" + bytes(channel for pixel in row for channel in pixel) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
