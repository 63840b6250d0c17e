from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from database.settings import REPO_ROOT


class ShopSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SHOP_", extra="ignore")

    #: Signs `customer_token`s: the shop's back end and this service share it. Required at run time.
    customer_token_secret: SecretStr | None = None
    customer_token_ttl_days: int = 30
    profile_path: Path = REPO_ROOT / "shop" / "profile.yml"
    order_source: str = "sql"


@lru_cache
def get_settings() -> ShopSettings:
    return ShopSettings()
