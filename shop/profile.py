"""The shop profile (shop/profile.yml): read on every answer so edits apply without retraining."""

from pathlib import Path

import yaml
from pydantic import BaseModel

from shop.settings import get_settings


class ShippingMethod(BaseModel):
    method: str
    cost: float
    days_min: int
    days_max: int


class Region(BaseModel):
    id: str
    name: str
    countries: list[str]
    shipping: list[ShippingMethod]
    free_shipping_over: float | None = None
    payment_methods: list[str]


class ShopProfile(BaseModel):
    name: str
    support_email: str
    currency: str
    return_window_days: int
    refund_days: dict[str, str]
    regions: list[Region]

    def region_for(self, country: str | None) -> Region | None:
        return next((r for r in self.regions if country and country.upper() in r.countries), None)


_cache: dict[Path, tuple[float, ShopProfile]] = {}


def load_profile(path: Path | None = None) -> ShopProfile:
    """Parse the profile, re-reading the file only when it changed on disk."""
    path = path or get_settings().profile_path
    mtime = path.stat().st_mtime
    cached = _cache.get(path)
    if cached is None or cached[0] != mtime:
        cached = (mtime, ShopProfile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8"))))
        _cache[path] = cached
    return cached[1]
