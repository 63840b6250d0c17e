"""Rasa's endpoints.yml written from the environment: action server URL, the SQL tracker store and, with
`REDIS_URL` (Rasa replicas), the Redis lock store that keeps each conversation's turns in order across them."""

from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from sqlalchemy.engine import make_url


def tracker_store_config(database_url: str) -> tuple[dict, dict[str, str]]:
    """Rasa's SQL tracker store settings for DATABASE_URL, and environment variables holding its secrets."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return {"type": "SQL", "dialect": "sqlite", "db": url.database}, {}
    if url.get_backend_name() == "postgresql":
        config = {
            "type": "SQL",
            "dialect": "postgresql",
            "url": url.host or "127.0.0.1",
            "port": url.port or 5432,
            "db": url.database,
            "username": url.username or "",
            "password": "${SHOPBOT_TRACKER_DB_PASSWORD}",  # substituted by Rasa from its environment
        }
        return config, {"SHOPBOT_TRACKER_DB_PASSWORD": url.password or ""}
    raise ValueError(f"unsupported database for Rasa's tracker store: {url.get_backend_name()}")


def lock_store_config(redis_url: str) -> tuple[dict, dict[str, str]]:
    """Rasa's RedisLockStore settings for REDIS_URL, and environment variables holding its secrets."""
    url = urlsplit(redis_url)
    if url.scheme not in ("redis", "rediss"):
        raise ValueError(f"unsupported REDIS_URL for Rasa's lock store: {url.scheme}://")
    config: dict = {"type": "redis", "url": url.hostname or "127.0.0.1", "port": url.port or 6379,
                    "db": int(url.path.strip("/") or 0), "key_prefix": "shopbot", "use_ssl": url.scheme == "rediss"}
    if not url.password:
        return config, {}
    config["password"] = "${SHOPBOT_LOCK_STORE_PASSWORD}"
    return config, {"SHOPBOT_LOCK_STORE_PASSWORD": unquote(url.password)}


def write_endpoints(path: Path, *, database_url: str, actions_url: str, redis_url: str | None = None
                    ) -> dict[str, str]:
    """Write the file; returns the environment variables the Rasa process needs for it."""
    tracker_store, secrets = tracker_store_config(database_url)
    endpoints = {"action_endpoint": {"url": actions_url}, "tracker_store": tracker_store}
    if redis_url:
        endpoints["lock_store"], lock_secrets = lock_store_config(redis_url)
        secrets = {**secrets, **lock_secrets}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False), encoding="utf-8")
    return secrets
