"""Secrets come from the environment. For the local demo, missing ones are generated once into
var/secrets.env (mode 600) so that every process of the stack shares them."""

import os
import secrets
from pathlib import Path

GENERATED_SECRETS = ["SHOP_CUSTOMER_TOKEN_SECRET", "SHOP_EVENTS_SECRET"]


def ensure_local_secrets(var_dir: Path) -> list[str]:
    """Export each missing secret from var/secrets.env, generating it there first; returns the names used."""
    path = var_dir / "secrets.env"
    stored: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            name, _, value = line.partition("=")
            if name and value:
                stored[name.strip()] = value.strip()
    used = []
    for name in GENERATED_SECRETS:
        if os.environ.get(name):
            continue
        if name not in stored:
            stored[name] = secrets.token_hex(32)
        os.environ[name] = stored[name]
        used.append(name)
    if used:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f"{k}={v}\n" for k, v in stored.items()))
        path.chmod(0o600)
    return used
