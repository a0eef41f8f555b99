"""``python -m bot serve | shell | scheduler | token | directory | database | teams package | digest on/off``.

Each command imports what only it needs (the web stack, CSV, the
databases' upkeep) in its ``run_*`` function, so that the commonest, a
look-up in the shell, starts without them."""

from __future__ import annotations

import argparse
import errno
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.config import Settings
from bot import progress
from data import Store
from handlers import tokens
from handlers.clock import parse
from handlers.errors import Invalid, KkrError, NotFound
from handlers.i18n import set_zone, t
from handlers.migration import migrate
from handlers.seeding import seed_directory


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = parser(argv[0] if argv else None).parse_args(argv)
    try:
        settings = Settings.from_env()
    except KkrError as error:  # a bad setting: its reason, not a traceback
        print(error.message((os.environ.get("KKRBOT_LANG") or "da").lower()), file=sys.stderr)
        return 2
    set_zone(settings.tz)
    try:
        return args.run(args, settings)
    except KkrError as error:
        print(error.message(settings.lang), file=sys.stderr)
        if isinstance(error, NotFound) and error.suggestions:
            print(t("reply.suggestions", settings.lang, names=", ".join(error.suggestions)), file=sys.stderr)
        for item in error.extra.get("errors", []):
            print("  " + t("cli.bad_line", settings.lang, **item), file=sys.stderr)
        return 1


class _Formatter(argparse.HelpFormatter):
    """argparse's help layout, told the terminal's width: finding it itself
    imports shutil (and with it bz2 and lzma), which every command paid,
    help or not, since argparse lays out each option as it is added."""

    def __init__(self, prog: str):
        try:
            columns = int(os.environ.get("COLUMNS", "")) or os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (ValueError, OSError, AttributeError):  # no number, no terminal, no stdout
            columns = 80
        super().__init__(prog, width=max(columns, 20) - 2)


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` with ``_Formatter`` (its commands' parsers are of its class)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, formatter_class=_Formatter, **kwargs)


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line; with ``command`` (a key of ``COMMANDS``) only that
    command's part of it.  argparse builds each sub-parser as it is added
    (looking up its messages through gettext, a file search each), so a
    command does not pay for the other commands' fifteen; without one, or
    with an unknown word, all of them, for help and the error listing them."""
    top = _Parser(prog="python -m bot", description="kkr-bot: the RKKP → KKR → municipality chain")
    verbs = top.add_subparsers(required=True, metavar="COMMAND")
    for name, build in COMMANDS.items():
        if command == name or command not in COMMANDS:
            build(verbs)
    return top


def _serve_parser(verbs) -> None:
    serve = verbs.add_parser("serve", help="serve the API, the Slack endpoint and the e-mail links")
    serve.add_argument("--port", type=int, help="default: $PORT or 3000")
    serve.set_defaults(run=run_serve)


def _shell_parser(verbs) -> None:
    verbs.add_parser("shell", help="the bot's commands in a terminal").set_defaults(run=run_shell)


def _scheduler_parser(verbs) -> None:
    clock = verbs.add_parser("scheduler", help="reminders and sending, for the one clock process")
    clock.add_argument("--once", action="store_true", help="one pass, then exit (for cron)")
    clock.set_defaults(run=run_scheduler)


def _token_parser(verbs) -> None:
    token = verbs.add_parser("token", help="API tokens").add_subparsers(required=True, metavar="ACTION")
    create = token.add_parser("create", help="make a token; it is printed once")
    create.add_argument("--role", required=True, choices=tokens.ROLES)
    create.add_argument("--name", required=True, help="who or what uses the token")
    create.add_argument("--expires-days", type=int, help="valid for this many days, 1 or more (default: no expiry)")
    create.set_defaults(run=run_token_create)
    revoke = token.add_parser("revoke", help="revoke one live token, by its name or its id from 'token list'")
    revoke.add_argument("name", metavar="NAME_OR_ID")
    revoke.set_defaults(run=run_token_revoke)
    token.add_parser("list", help="the tokens: name, role, id, dates (never the token)").set_defaults(
        run=run_token_list)


def _directory_parser(verbs) -> None:
    folder = verbs.add_parser("directory", help="bulk upkeep of the directory").add_subparsers(
        required=True, metavar="ACTION")
    load = folder.add_parser("import", help="apply a CSV file; nothing is written if a row is bad")
    load.add_argument("file", type=Path)
    load.set_defaults(run=run_import)
    dump = folder.add_parser("export", help="write every contact as CSV (to a file or standard output)")
    dump.add_argument("file", type=Path, nargs="?")
    form = dump.add_mutually_exclusive_group()  # --excel is a CSV dialect; a vCard has none
    form.add_argument("--excel", action="store_true", help="';' and a byte-order mark, for Danish Excel")
    form.add_argument("--vcard", action="store_true", help="vCard 4.0 instead of CSV, for Outlook's contacts")
    dump.set_defaults(run=run_export)
    forget = folder.add_parser("forget", help="erase a person: contact data removed, history pseudonymised")
    forget.add_argument("email")
    forget.set_defaults(run=run_forget)


def _digest_parser(verbs) -> None:
    weekly = verbs.add_parser("digest", help="who gets the weekly digest (KKRBOT_DIGEST)").add_subparsers(
        required=True, metavar="ACTION")
    for action, wants in (("on", True), ("off", False)):
        choice = weekly.add_parser(action, help=f"the person with this e-mail {'gets' if wants else 'stops'} it")
        choice.add_argument("email")
        choice.set_defaults(run=run_digest_choice, wants=wants)


def _teams_parser(verbs) -> None:
    teams = verbs.add_parser("teams", help="Microsoft Teams").add_subparsers(required=True, metavar="ACTION")
    package = teams.add_parser("package", help="write the Teams app package (manifest and icons) to upload")
    package.add_argument("--out", type=Path, default=Path("kkr-bot-teams.zip"), help="default: kkr-bot-teams.zip")
    package.add_argument("--version", help="the app's version, e.g. 1.2.0 (default: kkr-bot's own)")
    package.set_defaults(run=run_teams_package)


def _database_parser(verbs) -> None:
    catalogue = verbs.add_parser("database", help="the clinical quality databases (admin)").add_subparsers(
        required=True, metavar="ACTION")
    catalogue.add_parser("list", help="code, name and responsible consultant of each").set_defaults(
        run=run_database_list)
    add = catalogue.add_parser("add", help="add a database")
    add.add_argument("code", help="e.g. DHRD")
    add.add_argument("--name", required=True, help="e.g. Dansk Hjerterehabiliteringsdatabase")
    edit = catalogue.add_parser("edit", help="change a database's name or responsible consultant")
    edit.add_argument("code")
    edit.add_argument("--name")
    edit.add_argument("--no-consultant", action="store_true", help="clear the responsible consultant")
    for action in (add, edit):
        action.add_argument("--consultant-name", help="the responsible RKKP consultant")
        action.add_argument("--consultant-email", help="their e-mail: KL's and appointees' answers go here")
    add.set_defaults(run=run_database_add)
    edit.set_defaults(run=run_database_edit)


COMMANDS = {"serve": _serve_parser, "shell": _shell_parser, "scheduler": _scheduler_parser, "token": _token_parser,
            "directory": _directory_parser, "database": _database_parser, "teams": _teams_parser,
            "digest": _digest_parser}


def open_store(settings: Settings) -> Store:
    store = Store(settings.db_path)
    store.recover()
    seed_directory(store, now())
    migrate(store, now(), settings.tz)
    return store


def now() -> datetime:
    return datetime.now(UTC)


def run_serve(args, settings: Settings) -> int:
    from dataclasses import replace

    from bot.serve import serve

    # The port given is the one links must name when KKRBOT_PUBLIC_URL is unset.
    settings = replace(settings, port=args.port) if args.port else settings
    return serve(settings)


def run_shell(args, settings: Settings) -> int:
    from bot import shell

    return shell.run(open_store(settings), settings.lang)


def run_scheduler(args, settings: Settings) -> int:
    import logging

    from bot import scheduler
    from bot.render import cli as render_cli
    from bot.web import build_dispatcher

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = open_store(settings)
    client = None
    if settings.slack_enabled:
        from bot.slack import web_client

        client = web_client(settings)
    teams = None
    if settings.teams_app_id:  # reminders reach Teams users too
        from bot.teams import TeamsBot

        teams = TeamsBot(store, settings, now)
    dispatcher = build_dispatcher(store, settings, now, client, teams)
    if args.once:
        for line in render_cli.scheduler_pass(scheduler.once(store, dispatcher, now, settings.tz, settings.digest),
                                              settings.lang):
            print(line)
    else:
        scheduler.run_forever(scheduler.build(store, dispatcher, now, settings.tz, weekly=settings.digest))
    return 0


def run_digest_choice(args, settings: Settings) -> int:
    from handlers import digest

    saved = digest.choose(open_store(settings), args.email, args.wants, now(), by="cli")
    print(t("digest.cli_on" if saved["wants"] else "digest.cli_off", settings.lang, email=saved["email"]))
    return 0


def run_token_create(args, settings: Settings) -> int:
    if args.expires_days is not None and args.expires_days < 1:
        raise Invalid("token.expires_days", days=args.expires_days)
    expires = now() + timedelta(days=args.expires_days) if args.expires_days else None
    token, record = tokens.create_token(open_store(settings), args.role, args.name, now(), expires)
    print(token)
    print(t("cli.token_created", settings.lang, role=record["role"], name=record["name"]), file=sys.stderr)
    return 0


def run_token_revoke(args, settings: Settings) -> int:
    record = tokens.revoke_token(open_store(settings), args.name, now())
    print(t("cli.token_revoked", settings.lang, id=record["id"], role=record["role"], name=record["name"]))
    return 0


def run_token_list(args, settings: Settings) -> int:
    lang = settings.lang
    for record in tokens.list_tokens(open_store(settings)):
        state = (t("cli.token_state_revoked", lang, when=parse(record["revoked_at"])) if record["revoked_at"] else
                 t("cli.token_state_expires", lang, when=parse(record["expires_at"])) if record["expires_at"] else
                 t("cli.token_state_active", lang))
        print(t("cli.token_row", lang, id=record["id"], role=record["role"], name=record["name"], state=state))
    return 0


def run_import(args, settings: Settings) -> int:
    from handlers import directory_csv, spreadsheet

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise Invalid("cli.file_unreadable", file=str(args.file), reason=_reason(error, settings.lang)) from None
    text = spreadsheet.decode(data, str(args.file))
    store = open_store(settings)
    with progress.bar(t("cli.progress_import", settings.lang)) as update:
        result = directory_csv.import_csv(store, text, now(), by="csv:" + args.file.name, lang=settings.lang,
                                          progress=update)
    print(t("cli.imported", settings.lang, **result.to_dict()))
    return 0


def _reason(error: OSError, lang: str) -> str:
    """Why a file could not be used, in the configured language where we know
    the cause (the system's own text is English)."""
    known = {errno.ENOENT: "missing", errno.EACCES: "denied", errno.EPERM: "denied", errno.EISDIR: "folder",
             errno.ENOTDIR: "missing", errno.ENOSPC: "full", errno.EROFS: "read_only"}
    if error.errno in known:
        return t(f"cli.file_{known[error.errno]}", lang)
    return error.strerror or str(error)


def run_forget(args, settings: Settings) -> int:
    from bot.channels.outbox import forget_in_outbox, outbox_folder
    from handlers.erasure import forget

    outbox = outbox_folder(settings.db_path)
    done = forget(open_store(settings), args.email, now(),
                  elsewhere={"outbox": lambda person: forget_in_outbox(outbox, person)})
    lang = settings.lang
    counts = [t(f"cli.forgotten_{part}", lang, count=done[part])
              for part in ("contacts", "roster", "history", "audit", "outbox")]
    print(t("cli.forgotten", lang, email=args.email, pseudonym=done["pseudonym"], counts=counts))
    return 0


def run_database_list(args, settings: Settings) -> int:
    from handlers import databases

    found = databases.list_databases(open_store(settings), actor="cli", now=now())
    width = max((len(d["code"]) for d in found), default=0)
    for database in found:
        print(_database_line(database, width, settings.lang))
    return 0


def _database_line(database: dict, width: int, lang: str) -> str:
    consultant = database["consultant"]
    who = f"{consultant['name']}, {consultant['email']}" if consultant else t("database.no_consultant", lang)
    return f"{database['code']:<{width}}  {database['name']}  ({who})"


def run_database_add(args, settings: Settings) -> int:
    from handlers import databases

    consultant = _consultant(args)
    saved = databases.add_database(open_store(settings), {"code": args.code, "name": args.name,
                                                          "consultant": consultant}, now(), by="cli")
    print(_database_line(saved, 0, settings.lang))
    return 0


def run_database_edit(args, settings: Settings) -> int:
    from handlers import databases

    store = open_store(settings)
    raw = {"name": args.name} if args.name is not None else {}
    if args.no_consultant:
        raw["consultant"] = None
    elif args.consultant_name is not None or args.consultant_email is not None:
        with store.read(databases.PART) as view:
            current = databases.find(view, args.code).get("consultant") or {}
        raw["consultant"] = {**current, **(_consultant(args) or {})}
    print(_database_line(databases.edit_database(store, args.code, raw, now(), by="cli"), 0, settings.lang))
    return 0


def _consultant(args) -> dict | None:
    """The consultant options given (both, one or none)."""
    given = {"name": args.consultant_name, "email": args.consultant_email}
    return {k: v for k, v in given.items() if v is not None} or None


def run_export(args, settings: Settings) -> int:
    if args.vcard:
        from handlers.vcard import export_vcard

        data = export_vcard(open_store(settings), actor="cli", now=now()).encode("utf-8")
    else:
        from handlers import directory_csv

        data = directory_csv.export_csv(open_store(settings), excel=args.excel, actor="cli", now=now()).encode("utf-8")
    if not args.file:
        sys.stdout.flush()
        # Bytes, so the file is UTF-8 whatever the terminal's encoding.
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        _write(args.file, data, t("cli.progress_export", settings.lang))
    except OSError as error:
        raise Invalid("cli.file_unwritable", file=str(args.file), reason=_reason(error, settings.lang)) from None
    return 0


def run_teams_package(args, settings: Settings) -> int:
    from bot import teams_package

    bot_id = teams_package.app_id(os.environ)
    try:
        teams_package.write_package(args.out, bot_id, settings.public_url or "",
                                    args.version or teams_package.project_version())
    except OSError as error:
        raise Invalid("cli.file_unwritable", file=str(args.out), reason=error.strerror or str(error)) from None
    print(t("teams.package_written", settings.lang, file=str(args.out)))
    return 0


def _write(path: Path, data: bytes, description: str, chunk: int = 1 << 14) -> None:
    """``data`` to ``path``, a chunk at a time under a progress bar."""
    with path.open("wb") as handle, progress.bar(description, in_bytes=True) as update:
        for start in range(0, len(data), chunk):
            handle.write(data[start:start + chunk])
            update(min(start + chunk, len(data)), len(data))
        update(len(data), len(data))


if __name__ == "__main__":
    sys.exit(main())
