"""What an order source returns: plain pydantic objects, whatever the platform behind it."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from database.types import UtcDatetime


class ShopSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class CustomerRead(ShopSchema):
    id: int
    name: str
    email: str
    phone: str | None
    country: str
    language: str
    created_at: UtcDatetime


class OrderItemRead(ShopSchema):
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


class PaymentRead(ShopSchema):
    method: str
    status: str
    amount: Decimal
    paid_at: UtcDatetime | None


class ShipmentRead(ShopSchema):
    carrier: str
    tracking_number: str
    status: str
    shipped_at: UtcDatetime | None
    estimated_delivery: date | None
    delivered_at: UtcDatetime | None


class RefundRead(ShopSchema):
    amount: Decimal
    status: str
    reason: str
    requested_at: UtcDatetime
    completed_at: UtcDatetime | None


class OrderRead(ShopSchema):
    number: str
    customer_id: int
    customer_email: str
    status: str
    currency: str
    total: Decimal
    shipping_country: str
    placed_at: UtcDatetime
    cancelled_at: UtcDatetime | None
    confirmed_at: UtcDatetime | None = None
    items: list[OrderItemRead]
    payments: list[PaymentRead]
    shipments: list[ShipmentRead]
    refunds: list[RefundRead]

    @property
    def latest_shipment(self) -> ShipmentRead | None:
        return self.shipments[-1] if self.shipments else None

    @property
    def payment_method(self) -> str | None:
        return self.payments[-1].method if self.payments else None


ShopEventType = Literal["order.created", "order.shipped", "order.delayed", "order.delivered"]
SHOP_EVENT_TYPES: tuple[str, ...] = ShopEventType.__args__


class ShopEvent(BaseModel):
    """What a shop tells the assistant about an order (`POST /api/v1/shop/events`). `data` carries what the
    messages need: `carrier`, `tracking_number` (shipped, delayed), `estimated_delivery` (delayed)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128)
    type: ShopEventType
    order_number: str = Field(min_length=1, max_length=40)
    occurred_at: UtcDatetime
    data: dict[str, Any] = {}
