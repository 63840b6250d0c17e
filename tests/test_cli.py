"""The `shopbot` command as a person or a test uses it."""

import json
import os
import subprocess
import sys

from shop.auth import verify_customer_token


def test_shop_orders_lists_seeded_orders_with_customer_tokens(seeded_database):
    result = subprocess.run(
        [sys.executable, "-m", "shopbot.cli", "shop", "orders", "--limit", "7", "--json"],
        capture_output=True, text=True, env=os.environ, check=True,
    )
    orders = json.loads(result.stdout)
    assert len(orders) == 7
    assert {o["status"] for o in orders} >= {"pending_payment", "shipped", "delivered", "cancelled"}
    for order in orders:
        assert "@" in order["customer_email"] and order["number"].isdigit()
        assert verify_customer_token(order["customer_token"]) > 0


def test_unknown_subcommand_fails_with_usage():
    result = subprocess.run([sys.executable, "-m", "shopbot.cli", "fly"], capture_output=True, text=True)
    assert result.returncode == 2 and "usage" in result.stderr


def _cli(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "shopbot.cli", *args], input=stdin, capture_output=True, text=True,
                          env=os.environ)


def test_users_create_reads_the_password_from_stdin_and_prints_a_token(seeded_database):
    from database.core import session_scope
    from handoff.agents import authenticate_password_or_raise, authenticate_token_or_raise

    created = _cli("users", "create", "cli-maria", "--role", "agent", "--email", "m@example.com",
                   "--password-stdin", stdin="a good password\n")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    with session_scope() as db_session:
        assert authenticate_token_or_raise(db_session=db_session, token=token).name == "cli-maria"
        assert authenticate_password_or_raise(db_session=db_session, name="cli-maria",
                                              password="a good password").email == "m@example.com"
    assert "cli-maria" in _cli("users", "list").stdout
    assert _cli("users", "set-password", "cli-maria", "--password-stdin", stdin="another password\n").returncode == 0
    assert _cli("users", "deactivate", "cli-maria").returncode == 0
    assert "deactivated" in _cli("users", "list").stdout


def test_users_create_refuses_empty_and_short_passwords(seeded_database):
    empty = _cli("users", "create", "cli-empty", "--role", "agent", "--password-stdin", stdin="\n")
    assert empty.returncode == 1 and "empty" in empty.stderr
    short = _cli("users", "create", "cli-short", "--role", "agent", "--password-stdin", stdin="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    assert "cli-short" not in _cli("users", "list").stdout
