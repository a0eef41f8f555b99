"""``python -m bot serve | shell | token create | directory import/export``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from api.config import Settings
from data import Store
from handlers import tokens
from handlers.errors import Invalid, KkrError
from handlers.i18n import t
from handlers.seeding import seed_directory


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    try:
        return args.run(args, settings)
    except KkrError as error:
        print(error.message(settings.lang), file=sys.stderr)
        for item in error.extra.get("errors", []):
            print("  " + t("cli.bad_line", settings.lang, **item), file=sys.stderr)
        return 1


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m bot", description="kkr-bot: the RKKP → KKR → municipality chain")
    verbs = top.add_subparsers(required=True, metavar="COMMAND")

    serve = verbs.add_parser("serve", help="serve the API, the Slack endpoint and the e-mail links")
    serve.add_argument("--port", type=int, help="default: $PORT or 3000")
    serve.set_defaults(run=run_serve)

    verbs.add_parser("shell", help="the bot's commands in a terminal").set_defaults(run=run_shell)

    clock = verbs.add_parser("scheduler", help="reminders and sending, for the one clock process")
    clock.add_argument("--once", action="store_true", help="one pass, then exit (for cron)")
    clock.set_defaults(run=run_scheduler)

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

    folder = verbs.add_parser("directory", help="bulk upkeep of the directory").add_subparsers(
        required=True, metavar="ACTION")
    load = folder.add_parser("import", help="apply a CSV file; nothing is written if a row is bad")
    load.add_argument("file", type=Path)
    load.set_defaults(run=run_import)
    dump = folder.add_parser("export", help="write every contact as CSV (to a file or standard output)")
    dump.add_argument("file", type=Path, nargs="?")
    dump.add_argument("--excel", action="store_true", help="';' and a byte-order mark, for Danish Excel")
    dump.set_defaults(run=run_export)
    forget = folder.add_parser("forget", help="erase a person: contact data removed, history pseudonymised")
    forget.add_argument("email")
    forget.set_defaults(run=run_forget)
    return top


def open_store(settings: Settings) -> Store:
    store = Store(settings.db_path)
    store.recover()
    seed_directory(store, now())
    return store


def now() -> datetime:
    return datetime.now(UTC)


def run_serve(args, settings: Settings) -> int:
    from bot.serve import serve

    return serve(settings, port=args.port)


def run_shell(args, settings: Settings) -> int:
    from bot import shell

    return shell.run(open_store(settings), settings.lang)


def run_scheduler(args, settings: Settings) -> int:
    import logging

    from bot import scheduler
    from bot.web import build_dispatcher

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    store = open_store(settings)
    client = None
    if settings.slack_enabled:
        from bot.slack import web_client

        client = web_client(settings)
    dispatcher = build_dispatcher(store, settings, now, client)
    if args.once:
        scheduler.tick(store, dispatcher, now, settings.tz)
    else:
        scheduler.run_forever(scheduler.build(store, dispatcher, now, settings.tz))
    return 0


def run_token_create(args, settings: Settings) -> int:
    if args.expires_days is not None and args.expires_days < 1:
        raise Invalid("token.expires_days", days=args.expires_days)
    expires = now() + timedelta(days=args.expires_days) if args.expires_days else None
    token, record = tokens.create_token(open_store(settings), args.role, args.name, now(), expires)
    print(token)
    print(f"# role {record['role']} for {record['name']}; shown once, stored only as a hash", file=sys.stderr)
    return 0


def run_token_revoke(args, settings: Settings) -> int:
    record = tokens.revoke_token(open_store(settings), args.name, now())
    print(f"revoked {record['id']} ({record['role']}, {record['name']})")
    return 0


def run_token_list(args, settings: Settings) -> int:
    for record in tokens.list_tokens(open_store(settings)):
        state = "revoked " + record["revoked_at"] if record["revoked_at"] else (
            "expires " + record["expires_at"] if record["expires_at"] else "active")
        print(f"{record['id']}  {record['role']:<10}  {record['name']}  ({state})")
    return 0


def run_import(args, settings: Settings) -> int:
    from handlers import directory_csv, spreadsheet

    try:
        data = args.file.read_bytes()
    except OSError as error:
        raise Invalid("cli.file_unreadable", file=str(args.file), reason=error.strerror or str(error)) from None
    text = spreadsheet.decode(data, str(args.file))
    result = directory_csv.import_csv(open_store(settings), text, now(), by="csv:" + args.file.name,
                                      lang=settings.lang)
    print(", ".join(f"{name}: {count}" for name, count in result.to_dict().items()))
    return 0


def run_forget(args, settings: Settings) -> int:
    from bot.channels import forget_in_outbox, outbox_folder
    from handlers.erasure import forget

    outbox = outbox_folder(settings.db_path)
    done = forget(open_store(settings), args.email, now(),
                  elsewhere={"outbox": lambda person: forget_in_outbox(outbox, person)})
    print(f"{args.email} is now {done['pseudonym']}: {done['contacts']} contact(s) removed, {done['roster']} "
          f"steering-group seat(s) vacated, {done['history']} history record(s) and {done['audit']} audit "
          f"entries pseudonymised, {done['outbox']} outbox e-mail(s) deleted")
    return 0


def run_export(args, settings: Settings) -> int:
    from handlers import directory_csv

    data = directory_csv.export_csv(open_store(settings), excel=args.excel, actor="cli", now=now()).encode("utf-8")
    if not args.file:
        sys.stdout.flush()
        # Bytes, so the file is UTF-8 whatever the terminal's encoding.
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return 0
    try:
        args.file.write_bytes(data)
    except OSError as error:
        raise Invalid("cli.file_unwritable", file=str(args.file), reason=error.strerror or str(error)) from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
