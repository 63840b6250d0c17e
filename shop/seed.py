"""A deterministic demo shop: customers across the target markets and orders in every state.

Contents depend only on the random seed; dates are placed relative to the day of seeding so that delivery
estimates and return windows make sense whenever the demo runs.
"""

import random
import unicodedata
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.enums import OrderStatus, PaymentMethod, PaymentStatus, RefundStatus, ShipmentStatus
from shop.models import Customer, Order, OrderItem, Payment, Refund, Shipment

FIRST_ORDER_NUMBER = 1000001

# (country, language, currency, first names, last names)
MARKETS = [
    ("ID", "id", "IDR", ["Budi", "Siti", "Agus", "Dewi"], ["Santoso", "Wijaya", "Pratama"]),
    ("MY", "ms", "MYR", ["Aisyah", "Hafiz", "Nurul"], ["Rahman", "Ismail", "Abdullah"]),
    ("TH", "th", "THB", ["Somchai", "Malee", "Niran"], ["Srisuk", "Chaiyaporn", "Thongdee"]),
    ("VN", "vi", "VND", ["Minh", "Lan", "Tuan"], ["Nguyen", "Tran", "Le"]),
    ("PH", "en", "PHP", ["Maria", "Jose", "Angelica"], ["Santos", "Reyes", "Cruz"]),
    ("SG", "zh", "SGD", ["Wei", "Mei Ling", "Jun"], ["Tan", "Lim", "Ng"]),
    ("SA", "ar", "SAR", ["Ahmed", "Fatimah", "Khalid"], ["Al-Harbi", "Al-Qahtani", "Al-Otaibi"]),
    ("AE", "ar", "AED", ["Omar", "Layla", "Yousef"], ["Al-Mansoori", "Haddad", "Nasser"]),
    ("EG", "ar", "EGP", ["Mona", "Karim", "Hassan"], ["Mahmoud", "Farouk", "Saleh"]),
    ("TR", "tr", "TRY", ["Elif", "Mehmet", "Ayşe"], ["Yılmaz", "Demir", "Kaya"]),
    ("MX", "es", "MXN", ["Lucía", "Carlos", "Valeria"], ["Hernández", "García", "Martínez"]),
    ("CO", "es", "COP", ["Andrés", "Camila"], ["Rodríguez", "Gómez", "López"]),
    ("AR", "es", "ARS", ["Sofía", "Mateo"], ["Fernández", "Pérez"]),
    ("BR", "pt", "BRL", ["João", "Ana", "Pedro"], ["Silva", "Souza", "Oliveira"]),
    ("ES", "es", "EUR", ["Javier", "Carmen"], ["Sánchez", "Romero"]),
    ("PT", "pt", "EUR", ["Inês", "Tiago"], ["Costa", "Ferreira"]),
    ("FR", "fr", "EUR", ["Camille", "Louis"], ["Martin", "Bernard"]),
    ("DE", "de", "EUR", ["Lena", "Jonas"], ["Müller", "Schmidt"]),
    ("IT", "it", "EUR", ["Giulia", "Marco"], ["Rossi", "Bianchi"]),
    ("RU", "ru", "RUB", ["Olga", "Dmitri"], ["Ivanova", "Petrov"]),
    ("JP", "ja", "JPY", ["Yuki", "Haruto"], ["Sato", "Suzuki"]),
    ("KR", "ko", "KRW", ["Jisoo", "Minjun"], ["Kim", "Park"]),
]
CUSTOMERS_PER_MARKET = 3  # 66 customers

PRODUCTS = [
    ("SKU-TSHIRT", "Organic cotton T-shirt", "19.90"),
    ("SKU-SNEAKER", "Running sneakers", "89.00"),
    ("SKU-HIJAB", "Silk hijab", "24.50"),
    ("SKU-BAG", "Leather tote bag", "129.00"),
    ("SKU-PHONECASE", "Phone case", "12.99"),
    ("SKU-EARBUDS", "Wireless earbuds", "59.00"),
    ("SKU-WATCH", "Smart watch", "199.00"),
    ("SKU-DRESS", "Summer dress", "45.00"),
    ("SKU-JEANS", "Slim jeans", "49.90"),
    ("SKU-KETTLE", "Electric kettle", "34.00"),
    ("SKU-BLENDER", "Blender", "79.00"),
    ("SKU-SERUM", "Vitamin C serum", "27.50"),
]
CARRIERS = ["DHL Express", "FedEx", "J&T Express", "Aramex", "Correos", "Ninja Van", "UPS"]
METHODS_BY_MARKET_REGION = {
    "ID": [PaymentMethod.E_WALLET, PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD],
    "MY": [PaymentMethod.E_WALLET, PaymentMethod.CARD, PaymentMethod.CASH_ON_DELIVERY],
    "TH": [PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD],
    "VN": [PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.E_WALLET],
    "PH": [PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.E_WALLET, PaymentMethod.CARD],
    "SA": [PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD, PaymentMethod.INSTALLMENTS],
    "AE": [PaymentMethod.CARD, PaymentMethod.CASH_ON_DELIVERY],
    "EG": [PaymentMethod.CASH_ON_DELIVERY, PaymentMethod.CARD],
    "TR": [PaymentMethod.CARD, PaymentMethod.INSTALLMENTS],
    "MX": [PaymentMethod.CARD, PaymentMethod.PAYPAL, PaymentMethod.INSTALLMENTS],
    "BR": [PaymentMethod.INSTALLMENTS, PaymentMethod.CARD, PaymentMethod.BANK_TRANSFER],
}
ORDERS = 210  # 30 in each of the 7 states


def email_address(first: str, last: str, index: int) -> str:
    """João Souza -> joao.souza40@example.com (accents folded, not dropped)."""
    folded = unicodedata.normalize("NFKD", f"{first}.{last}".lower())
    ascii_name = folded.encode("ascii", "ignore").decode().replace(" ", "").replace("'", "")
    return f"{ascii_name}{index}@example.com"


def _make_customers(rng: random.Random, now: datetime) -> list[Customer]:
    customers: list[Customer] = []
    for market_index, (country, language, _currency, firsts, lasts) in enumerate(MARKETS):
        for k in range(CUSTOMERS_PER_MARKET):
            first, last = firsts[k % len(firsts)], lasts[(k + market_index) % len(lasts)]
            index = len(customers) + 1
            customers.append(
                Customer(
                    name=f"{first} {last}",
                    email=email_address(first, last, index),
                    phone=f"+{rng.randint(20, 99)}{rng.randint(10**8, 10**9 - 1)}",
                    country=country,
                    language=language,
                    created_at=now - timedelta(days=rng.randint(60, 1500)),
                )
            )
    return customers


def order_items(products: dict[str, int]) -> list[OrderItem]:
    """Items of the demo catalogue by SKU and quantity: `{"SKU-WATCH": 2}`."""
    catalogue = {sku: (name, Decimal(price)) for sku, name, price in PRODUCTS}
    return [OrderItem(sku=sku, name=catalogue[sku][0], quantity=quantity, unit_price=catalogue[sku][1])
            for sku, quantity in products.items()]


def make_order(rng: random.Random, now: datetime, number: int, customer: Customer, status: OrderStatus, *,
               items: list[OrderItem] | None = None, placed_at: datetime | None = None,
               method: PaymentMethod | None = None) -> Order:
    """One order with what its status implies: payments, the shipment (carrier, tracking number, estimated and
    actual delivery) and the refund. Whatever `items`, `placed_at` and `method` leave open is drawn from `rng`."""
    currency = "USD"
    if items is None:
        lines = [(sku, name, Decimal(price)) for sku, name, price in rng.sample(PRODUCTS, rng.randint(1, 3))]
        items = [OrderItem(sku=sku, name=name, quantity=rng.randint(1, 2), unit_price=price)
                 for sku, name, price in lines]
    total = sum((item.unit_price * item.quantity for item in items), Decimal("0"))
    if placed_at is None:
        age_days = {
            OrderStatus.PENDING_PAYMENT: rng.randint(0, 2),
            OrderStatus.PROCESSING: rng.randint(0, 3),
            OrderStatus.SHIPPED: rng.randint(2, 7),
            OrderStatus.DELIVERED: rng.randint(8, 70),
            OrderStatus.CANCELLED: rng.randint(3, 60),
            OrderStatus.RETURNED: rng.randint(15, 50),
            OrderStatus.REFUNDED: rng.randint(20, 80),
        }[status]
        placed_at = now - timedelta(days=age_days, hours=rng.randint(0, 20))
    if method is None:
        method = rng.choice(METHODS_BY_MARKET_REGION.get(customer.country, [PaymentMethod.CARD, PaymentMethod.PAYPAL]))
    order = Order(
        number=str(number),
        customer=customer,
        status=status,
        currency=currency,
        total=total,
        shipping_country=customer.country,
        placed_at=placed_at,
        items=items,
    )
    cod = method == PaymentMethod.CASH_ON_DELIVERY
    paid = status not in (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED) and not (
        cod and status in (OrderStatus.PROCESSING, OrderStatus.SHIPPED)
    )
    payment_status = {
        OrderStatus.PENDING_PAYMENT: PaymentStatus.PENDING,
        OrderStatus.CANCELLED: PaymentStatus.VOIDED,
        OrderStatus.REFUNDED: PaymentStatus.REFUNDED,
    }.get(status, PaymentStatus.PAID if paid else PaymentStatus.PENDING)
    order.payments.append(
        Payment(method=method, status=payment_status, amount=total, paid_at=placed_at if paid else None)
    )
    if status == OrderStatus.CANCELLED:
        order.cancelled_at = placed_at + timedelta(hours=rng.randint(1, 30))
    if status in (OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.RETURNED, OrderStatus.REFUNDED):
        shipped_at = placed_at + timedelta(days=1, hours=rng.randint(0, 12))
        transit_days = rng.randint(3, 9)
        delivered = status != OrderStatus.SHIPPED
        order.shipments.append(
            Shipment(
                carrier=rng.choice(CARRIERS),
                tracking_number=f"TRK{rng.randint(10**9, 10**10 - 1)}",
                status=(
                    ShipmentStatus.RETURNED
                    if status in (OrderStatus.RETURNED, OrderStatus.REFUNDED)
                    else ShipmentStatus.DELIVERED
                    if delivered
                    else rng.choice([ShipmentStatus.IN_TRANSIT, ShipmentStatus.OUT_FOR_DELIVERY])
                ),
                shipped_at=shipped_at,
                estimated_delivery=(shipped_at + timedelta(days=transit_days)).date(),
                delivered_at=shipped_at + timedelta(days=transit_days) if delivered else None,
            )
        )
    if status in (OrderStatus.RETURNED, OrderStatus.REFUNDED):
        requested_at = placed_at + timedelta(days=rng.randint(10, 14))
        refund_status = RefundStatus.PAID if status == OrderStatus.REFUNDED else rng.choice(
            [RefundStatus.REQUESTED, RefundStatus.APPROVED]
        )
        order.refunds.append(
            Refund(
                amount=total,
                status=refund_status,
                reason=rng.choice(["wrong size", "damaged on arrival", "changed my mind", "not as described"]),
                requested_at=requested_at,
                completed_at=requested_at + timedelta(days=6) if refund_status == RefundStatus.PAID else None,
            )
        )
    return order


def seed_demo_shop(db_session: Session, *, seed: int = 7, now: datetime | None = None) -> bool:
    """Fill an empty shop; returns False (and changes nothing) when customers already exist."""
    if db_session.scalar(select(func.count()).select_from(Customer)):
        return False
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    customers = _make_customers(rng, now)
    db_session.add_all(customers)
    statuses = list(OrderStatus)
    for i in range(ORDERS):
        customer = customers[i % len(customers)]
        db_session.add(make_order(rng, now, FIRST_ORDER_NUMBER + i, customer, statuses[i % len(statuses)]))
    db_session.flush()
    return True
