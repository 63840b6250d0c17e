import re
import string
from pathlib import Path

import yaml

from shop.enums import OrderStatus
from translation.responses import BOT_LANGUAGE, ResponseCatalog, get_catalog

BOT = Path(__file__).resolve().parents[2] / "bot"


def _domain_response_keys() -> set[str]:
    keys = set()
    for path in (BOT / "domain").glob("*.yml"):
        for variants in (yaml.safe_load(path.read_text()).get("responses") or {}).values():
            keys.update(v["custom"]["response"] for v in variants)
    return keys


def _action_response_keys() -> set[str]:
    source = "\n".join(p.read_text() for p in (BOT / "actions").rglob("*.py"))
    keys = set(re.findall(r'"(utter_[a-z_]+)"', source))
    keys |= {f"utter_order_status_{status}" for status in OrderStatus}
    return keys


def test_every_response_the_bot_can_send_has_an_english_text():
    missing = (_domain_response_keys() | _action_response_keys()) - get_catalog().keys(BOT_LANGUAGE)
    assert not missing


def test_dates_money_terms_and_lists_are_formatted_for_the_locale():
    catalog = get_catalog()
    text = catalog.render(
        {"response": "utter_order_status_shipped",
         "vars": {"order_id": "1000003", "carrier": "DHL", "tracking_number": "TRK1",
                  "expected_date": {"date": "2026-12-03"}}},
        "en",
    )
    assert text == "Order 1000003 is on its way with DHL, tracking number TRK1. Expected delivery: December 3, 2026."
    methods = catalog.render(
        {"response": "utter_payment_methods_region",
         "vars": {"region": {"term": "region.middle_east"},
                  "methods": {"list": [{"term": "method.card"}, {"term": "method.cash_on_delivery"}]}}},
        "en",
    )
    assert methods == "In the Middle East you can pay with: card and cash on delivery."
    cancelled = catalog.render(
        {"response": "utter_order_cancelled",
         "vars": {"order_id": "7", "refund_note": {"response": "utter_refund_note_paid", "vars": {
             "amount": {"money": ["12.5", "USD"]}, "payment_method": {"term": "payment.card"},
             "refund_days": "5-10"}}}},
        "en",
    )
    assert "$12.50" in cancelled and "within 5-10 business days" in cancelled


def test_list_items_render_one_per_line():
    text = get_catalog().render(
        {"response": "utter_delivery_options_all",
         "items": [{"response": "utter_delivery_option_line",
                    "vars": {"method": "Express", "cost": {"money": [11, "USD"]}, "days_min": 1, "days_max": 2}}]},
        "en",
    )
    assert text.splitlines()[1] == "• Express: $11.00, 1–2 business days"


def test_a_missing_variable_does_not_break_the_reply(tmp_path):
    (tmp_path / "en.yml").write_text("language: en\nresponses:\n  utter_x: 'Order {order_id} is here.'\n")
    assert ResponseCatalog(tmp_path).render({"response": "utter_x"}, "en") == "Order  is here."


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_every_localized_file_has_every_response_with_the_same_placeholders():
    files = {path.stem: yaml.safe_load(path.read_text()) for path in (BOT / "responses").glob("*.yml")}
    english = files.pop("en")
    assert files, "no localized response files"
    for language, data in files.items():
        assert data["language"] == language
        assert set(data["responses"]) == set(english["responses"]), language
        assert set(data["terms"]) == set(english["terms"]), language
        for key, text in english["responses"].items():
            assert _placeholders(data["responses"][key]) == _placeholders(text), (language, key)


def test_replies_render_in_the_shoppers_language_with_local_formats():
    catalog = get_catalog()
    payload = {"response": "utter_order_status_shipped",
               "vars": {"order_id": "1000003", "carrier": "DHL", "tracking_number": "TRK1",
                        "expected_date": {"date": "2026-12-03"}}}
    spanish = catalog.render(payload, "es")
    assert "1000003" in spanish and "TRK1" in spanish and "diciembre" in spanish
    assert "ديسمبر" in catalog.render(payload, "ar")
    assert "12月3日" in catalog.render(payload, "zh")
    assert catalog.is_localized(payload, "es") and not catalog.is_localized(payload, "xx")


def test_weekday_and_time_in_the_shoppers_language():
    payload = {"response": "utter_handoff_after_hours", "vars": {"opening": {"datetime": "2026-11-26T09:00:00+07:00"}}}
    assert "jueves 09:00" in get_catalog().render(payload, "es")
    assert "Thursday 09:00" in get_catalog().render(payload, "en")
