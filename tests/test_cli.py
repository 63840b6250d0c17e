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
