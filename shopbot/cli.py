"""`shopbot`: run the assistant, train it, and inspect the demo shop."""

import argparse
import json
import logging
import signal
import sys
from functools import partial

from database.core import session_scope
from database.migrate import upgrade_database
from database.settings import get_settings as get_database_settings
from runtime.settings import get_settings
from shop.schemas import SHOP_EVENT_TYPES
from shopbot.learning_cli import add_learning_parsers
from shopbot.models_cli import add_models_parser
from shopbot.privacy_cli import add_privacy_parser


def _prepare_local(args: argparse.Namespace) -> None:
    from shopbot.secrets import ensure_local_secrets

    generated = ensure_local_secrets(get_settings().var_dir)
    if generated:
        print(f"Using local demo secrets from {get_settings().var_dir / 'secrets.env'}: {', '.join(generated)}",
              file=sys.stderr)


def cmd_db_upgrade(args: argparse.Namespace) -> None:
    upgrade_database()
    print("Database is at the latest schema.")


def _seed_demo_history(db_session) -> None:
    """Demo conversations, handoffs and ratings of the last two weeks, for the admins' Analytics tab."""
    from analytics.demo import seed_demo_history
    from shop.settings import get_settings as get_shop_settings
    from shop.source import get_order_source

    seed_demo_history(db_session=db_session, source=get_order_source(db_session, get_shop_settings().order_source))


def cmd_shop_seed(args: argparse.Namespace) -> None:
    from canned.seed import seed_canned_replies
    from shop.seed import seed_demo_shop

    upgrade_database()
    with session_scope() as db_session:
        created = seed_demo_shop(db_session)
        if created:
            _seed_demo_history(db_session)
        seed_canned_replies(db_session)
    print("Seeded the demo shop." if created else "The shop already has customers; nothing seeded.")


def cmd_shop_orders(args: argparse.Namespace) -> None:
    from shop.auth import create_customer_token
    from shop.settings import get_settings as get_shop_settings
    from shop.source import get_order_source

    _prepare_local(args)
    with session_scope() as db_session:
        orders = get_order_source(db_session, get_shop_settings().order_source).list_orders(limit=args.limit)
    rows = [
        {
            "number": order.number,
            "customer_email": order.customer_email,
            "status": order.status,
            "total": f"{order.total} {order.currency}",
            "customer_token": create_customer_token(order.customer_id),
        }
        for order in orders
    ]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    for row in rows:
        print(f"{row['number']:>10}  {row['status']:<16} {row['total']:>14}  {row['customer_email']}")


def _password_from_stdin() -> str:
    """One line from stdin (piped, or typed without echo on a terminal); refused if shorter than the minimum."""
    from handoff.agents import MIN_PASSWORD_CHARS

    if sys.stdin.isatty():
        import getpass

        password = getpass.getpass("Password: ")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        sys.exit("The password is empty: pipe it in on stdin (e.g. `read -s P; echo \"$P\" | shopbot ...`).")
    if len(password) < MIN_PASSWORD_CHARS:
        sys.exit(f"The password is too short: it needs at least {MIN_PASSWORD_CHARS} characters.")
    return password


def cmd_users_create(args: argparse.Namespace) -> None:
    from handoff.agents import create_user

    password = _password_from_stdin() if args.password_stdin else None
    upgrade_database()
    try:
        with session_scope() as db_session:
            user, token = create_user(db_session=db_session, name=args.name, role=args.role, email=args.email,
                                      password=password)
    except ValueError as error:
        sys.exit(str(error))
    print(token)
    sign_in = ("signs in to the console with the password" if password else
               "has no password yet (shopbot users set-password NAME --password-stdin)")
    print(f"Created {user.role} {user.name!r}, who {sign_in}. The API token above is for scripts and shown once: "
          f"send it as 'Authorization: Bearer TOKEN'.", file=sys.stderr)


def _with_user(name: str, change) -> None:
    """Run `change(db_session, user)` on the named account in one transaction; a clear exit if it is unknown."""
    from handoff.agents import get_by_name_or_raise
    from handoff.exceptions import UserNotFound

    upgrade_database()
    try:
        with session_scope() as db_session:
            change(db_session, get_by_name_or_raise(db_session=db_session, name=name))
    except UserNotFound:
        sys.exit(f"No user named {name!r} (shopbot users list).")


def cmd_users_set_password(args: argparse.Namespace) -> None:
    from handoff.agents import set_password

    password = _password_from_stdin()
    _with_user(args.name, lambda db_session, user: set_password(db_session=db_session, user=user,
                                                                password=password))
    print(f"Password set for {args.name!r}; a lockout, if any, is lifted.", file=sys.stderr)


def cmd_users_deactivate(args: argparse.Namespace) -> None:
    from handoff.agents import deactivate_user

    _with_user(args.name, lambda db_session, user: deactivate_user(db_session=db_session, user=user))
    print(f"Deactivated {args.name!r}: no sign-ins or API tokens, console sessions ended.", file=sys.stderr)


def cmd_users_list(args: argparse.Namespace) -> None:
    from handoff.agents import list_users

    upgrade_database()
    with session_scope() as db_session:
        for user in list_users(db_session=db_session):
            state = "active" if user.active else "deactivated"
            password = "password" if user.password_hash else "tokens only"
            print(f"{user.name:<24} {user.role:<6} {state:<12} {password:<12} {user.email or ''}")


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def cmd_run(args: argparse.Namespace) -> None:
    from canned.seed import seed_canned_replies
    from gateway.settings import get_settings as get_gateway_settings
    from learning.activation import ensure_active_model
    from runtime.load_balancer import LoadBalancerMissing
    from runtime.processes import ReplicasNeedSharedServers, Stack, StartupFailed
    from runtime.training import TrainingFailed, active_model_path
    from shop.seed import seed_demo_shop

    settings = get_settings()
    # Ctrl-C and a service manager's SIGTERM both stop every process cleanly.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    _prepare_local(args)
    print("Migrating the database...")
    upgrade_database()
    with session_scope() as db_session:
        if seed_demo_shop(db_session):
            _seed_demo_history(db_session)
            print("Seeded the demo shop (try `.venv/bin/shopbot shop orders --limit 5`).")
        seed_canned_replies(db_session)
    try:
        with session_scope() as db_session:
            # The active model version (admins switch it); on the first start, one trained for the current data
            model = ensure_active_model(db_session=db_session, var_dir=settings.var_dir,
                                        rasa_venv=settings.rasa_venv, models_dir=settings.models_dir,
                                        activated_by="shopbot run")
        print(f"Serving model {model.name}.")
    except TrainingFailed as error:
        sys.exit(str(error))
    gateway_port = get_gateway_settings().port
    stack = Stack(
        model=model, database_url=get_database_settings().database_url, var_dir=settings.var_dir,
        host=settings.host, rasa_port=settings.rasa_port, actions_port=settings.actions_port,
        gateway_port=gateway_port, rasa_venv=settings.rasa_venv, replicas=args.replicas,
        current_model=partial(active_model_path, models_dir=settings.models_dir, fallback=model),
    )
    replicas = f"{args.replicas} of each behind HAProxy" if args.replicas > 1 else "one of each"
    print(f"Starting Rasa (loading the model takes up to a minute), the action server and the gateway ({replicas})...")
    try:
        stack.start(timeout=settings.startup_timeout_seconds)
        print(f"\nThe assistant is ready. Chat at http://{settings.host}:{gateway_port}/  "
              f"(API docs: http://{settings.host}:{gateway_port}/docs). Press Ctrl-C to stop.\n")
        stack.wait()
    except (StartupFailed, ReplicasNeedSharedServers, LoadBalancerMissing) as error:
        sys.exit(str(error))
    except KeyboardInterrupt:
        print("\nStopping...")
    finally:
        stack.stop()
        print("Stopped.")


def cmd_shop_event(args: argparse.Namespace) -> None:
    """Emit a shop event the way a shop platform does: signed with SHOP_EVENTS_SECRET, POSTed to the gateway."""
    import httpx

    from gateway.settings import get_settings as get_gateway_settings
    from handoff.webhooks import SIGNATURE_HEADER, signature
    from proactive.settings import get_settings as get_proactive_settings
    from shop.exceptions import OrderNotFound
    from shop.settings import get_settings as get_shop_settings
    from shop.source import get_order_source

    _prepare_local(args)
    secret = get_proactive_settings().shop_events_secret
    if secret is None:
        sys.exit("SHOP_EVENTS_SECRET is not set.")
    extra = {"estimated_delivery": args.new_date} if args.new_date else {}
    with session_scope() as db_session:
        try:
            event = get_order_source(db_session, get_shop_settings().order_source).shop_event(
                args.type, args.order, data=extra)
        except OrderNotFound:
            sys.exit(f"No order {args.order} (shopbot shop orders).")
    body = event.model_dump_json().encode()
    url = args.gateway or f"http://{get_gateway_settings().host}:{get_gateway_settings().port}"
    response = httpx.post(f"{url}/api/v1/shop/events", content=body, timeout=30,
                          headers={"Content-Type": "application/json",
                                   SIGNATURE_HEADER: signature(body, secret.get_secret_value())})
    if not response.is_success:
        sys.exit(f"The gateway refused the event ({response.status_code}): {response.text}")
    print(f"{event.type} {event.id}: {response.json()['status']}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopbot", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="migrate, seed, train if needed and start every process")
    run.add_argument("--replicas", type=int, default=1,
                     help="Rasa servers, action servers and gateways of each kind, behind HAProxy (needs PostgreSQL "
                          "and REDIS_URL)")
    run.set_defaults(func=cmd_run)

    add_learning_parsers(commands)

    db = commands.add_parser("db", help="database").add_subparsers(dest="db_command", required=True)
    db.add_parser("upgrade", help="create or migrate the database").set_defaults(func=cmd_db_upgrade)

    add_models_parser(commands)
    add_privacy_parser(commands)

    users = commands.add_parser("users", help="agent and admin accounts").add_subparsers(dest="users_command",
                                                                                         required=True)
    create = users.add_parser("create", help="create an account and print its API token")
    create.add_argument("name")
    create.add_argument("--role", choices=["agent", "admin"], required=True)
    create.add_argument("--email")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the console password from stdin (at least 8 characters)")
    create.set_defaults(func=cmd_users_create)
    set_password = users.add_parser("set-password", help="set (or reset) an account's console password")
    set_password.add_argument("name")
    set_password.add_argument("--password-stdin", action="store_true", required=True,
                              help="read the password from stdin (at least 8 characters)")
    set_password.set_defaults(func=cmd_users_set_password)
    deactivate = users.add_parser("deactivate", help="end an account's sessions and refuse its tokens")
    deactivate.add_argument("name")
    deactivate.set_defaults(func=cmd_users_deactivate)
    users.add_parser("list", help="the accounts").set_defaults(func=cmd_users_list)

    shop = commands.add_parser("shop", help="the demo shop").add_subparsers(dest="shop_command", required=True)
    shop.add_parser("seed", help="seed the demo shop if it is empty").set_defaults(func=cmd_shop_seed)
    orders = shop.add_parser("orders", help="list orders (with a customer_token to try the order flows)")
    orders.add_argument("--limit", type=int, default=20)
    orders.add_argument("--json", action="store_true")
    orders.set_defaults(func=cmd_shop_orders)
    event = shop.add_parser("event", help="send a signed shop event about an order to the gateway")
    event.add_argument("type", choices=SHOP_EVENT_TYPES)
    event.add_argument("--order", required=True, help="the order number")
    event.add_argument("--new-date", help="order.delayed: the new delivery date (YYYY-MM-DD)")
    event.add_argument("--gateway", help="the gateway's URL (default: GATEWAY_HOST and GATEWAY_PORT)")
    event.set_defaults(func=cmd_shop_event)
    return parser


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic", "httpx"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    args = build_parser().parse_args(argv)
    args.func(args)


if __name__ == "__main__":
    main()
