"""Rasa's endpoints from the environment: with REDIS_URL, Rasa's own RedisLockStore orders each conversation's
turns across Rasa replicas (checked by loading the written file with Rasa itself), secrets kept out of the file."""

import subprocess
from pathlib import Path

import redis
import yaml

from runtime.environment import rasa_environment
from runtime.rasa_endpoints import write_endpoints
from tests.redis_server import redis_server

RASA_PYTHON = Path(__file__).parents[2] / ".venv-rasa" / "bin" / "python"

# Rasa reads the file as `rasa run --endpoints` does, builds its lock store and takes one conversation's lock
_LOCK_WITH_RASA = """
import asyncio, sys
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import read_endpoint_config

store = LockStore.create(read_endpoint_config(sys.argv[1], "lock_store"))
print(type(store).__name__)

async def turn():
    async with store.lock("shopper-1"):
        print(sorted(key.decode() for key in store.red.keys("*")), flush=True)

asyncio.run(turn())
"""


def test_without_redis_there_is_no_lock_store(tmp_path):
    secrets = write_endpoints(tmp_path / "endpoints.yml", database_url="sqlite:///x.db",
                              actions_url="http://127.0.0.1:5055/webhook")
    assert "lock_store" not in yaml.safe_load((tmp_path / "endpoints.yml").read_text()) and secrets == {}


def test_the_password_of_redis_stays_out_of_the_file(tmp_path):
    secrets = write_endpoints(tmp_path / "endpoints.yml", database_url="sqlite:///x.db", actions_url="http://a/",
                              redis_url="rediss://:s%40cret@cache.internal:6380/2")
    lock_store = yaml.safe_load((tmp_path / "endpoints.yml").read_text())["lock_store"]
    assert lock_store == {"type": "redis", "url": "cache.internal", "port": 6380, "db": 2, "key_prefix": "shopbot",
                          "use_ssl": True, "password": "${SHOPBOT_LOCK_STORE_PASSWORD}"}
    assert secrets == {"SHOPBOT_LOCK_STORE_PASSWORD": "s@cret"}


def test_rasa_builds_its_redis_lock_store_from_the_file(tmp_path):
    with redis_server() as url:
        endpoints = tmp_path / "endpoints.yml"
        write_endpoints(endpoints, database_url="sqlite:///x.db", actions_url="http://127.0.0.1:5055/webhook",
                        redis_url=url.replace("/0", "/3"))
        ran = subprocess.run([str(RASA_PYTHON), "-c", _LOCK_WITH_RASA, str(endpoints)], capture_output=True,
                             text=True, timeout=300, env=rasa_environment())
        assert ran.returncode == 0, ran.stderr[-2000:]
        kind, keys = ran.stdout.strip().splitlines()[-2:]
        assert kind == "RedisLockStore"
        assert keys == "['shopbot:lock:shopper-1']"
        assert redis.Redis.from_url(url.replace("/0", "/3")).keys("*") == []  # released after the turn
