"""`shopbot privacy`: export or erase everything held about one shopper, and apply the retention rule."""

import argparse
import json
import sys
from pathlib import Path

from database.core import session_scope
from database.migrate import upgrade_database


def _subject(db_session, args: argparse.Namespace):
    from privacy import service
    from privacy.exceptions import SubjectNotFound

    try:
        return service.find_subject(db_session=db_session, email=args.email, customer_id=args.customer,
                                    sender_id=args.sender)
    except SubjectNotFound as error:
        sys.exit(str(error))


def cmd_export(args: argparse.Namespace) -> None:
    from privacy import service

    upgrade_database()
    with session_scope() as db_session:
        subject = _subject(db_session, args)
        document = service.export(db_session=db_session, subject=subject)
        service.record_export(db_session=db_session, subject=subject, actor_name="shopbot privacy export")
    Path(args.out).write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"Wrote {args.out}: {len(document['conversations'])} conversations, {len(document['orders'])} orders, "
          f"{len(document['tickets'])} tickets.")


def cmd_erase(args: argparse.Namespace) -> None:
    from privacy import service

    upgrade_database()
    with session_scope() as db_session:
        subject = _subject(db_session, args)
        if not args.yes:
            answer = input(f"Erase customer {subject.customer_id} and {len(subject.sender_ids)} conversations? "
                           "This cannot be undone. [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                sys.exit("Nothing erased.")
        counts = service.erase(db_session=db_session, subject=subject, actor_name="shopbot privacy erase")
    with session_scope() as db_session:
        service.purge_freed_pages(db_session)
    print("Erased: " + ", ".join(f"{name} {count}" for name, count in counts.items()))


def cmd_retain(args: argparse.Namespace) -> None:
    from privacy import service
    from privacy.settings import get_settings

    days = args.days if args.days is not None else get_settings().retention_days
    if days is None:
        sys.exit("No retention: pass --days or set PRIVACY_RETENTION_DAYS.")
    upgrade_database()
    with session_scope() as db_session:
        erased = service.erase_older_than(db_session=db_session, days=days)
    with session_scope() as db_session:
        service.purge_freed_pages(db_session)
    print(f"Erased {erased} conversations inactive for more than {days} days.")


def _who(parser: argparse.ArgumentParser) -> None:
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--email", help="the customer's e-mail")
    who.add_argument("--customer", type=int, help="the customer id")
    who.add_argument("--sender", help="a conversation's sender id (widget id, telegram:CHAT, ...)")


def add_privacy_parser(commands) -> None:
    privacy = commands.add_parser("privacy", help="shoppers' data: export, erase, retention").add_subparsers(
        dest="privacy_command", required=True)
    export = privacy.add_parser("export", help="write everything held about a shopper to one JSON file")
    _who(export)
    export.add_argument("--out", required=True, help="the JSON file to write")
    export.set_defaults(func=cmd_export)
    erase = privacy.add_parser("erase", help="delete or anonymise a shopper's data in every store")
    _who(erase)
    erase.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    erase.set_defaults(func=cmd_erase)
    retain = privacy.add_parser("retain", help="erase conversations inactive for more than N days")
    retain.add_argument("--days", type=int, help="default: PRIVACY_RETENTION_DAYS")
    retain.set_defaults(func=cmd_retain)
