"""The shop's data: customers, orders, items, payments, shipments and refunds, behind an order source."""
