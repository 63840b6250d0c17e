"""Canned replies: validated templates per language, filled from an order with locale-formatted values.

A reply goes out as the human-written text of the shopper's language when there is one ("written"); otherwise
the English text is machine-translated with its values protected ("machine_translation"), or sent in English
where no model covers the language ("english").
"""

import string
from dataclasses import dataclass
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency
from sqlalchemy import select
from sqlalchemy.orm import Session

from canned.exceptions import CannedReplyNotFound, InvalidCannedReply, MissingValue
from canned.models import CannedReply
from shop.schemas import CustomerRead, OrderRead
from translation.languages import LAUNCH_LANGUAGES
from translation.responses import BOT_LANGUAGE
from translation.service import TranslationService

#: The variables a reply may use, each filled from the order in question (or its customer).
VARIABLES = ("order_id", "first_name", "customer_name", "order_date", "order_total", "carrier", "tracking_number",
             "expected_date", "refund_amount")

Delivery = Literal["written", "machine_translation", "english"]


@dataclass(frozen=True)
class Rendered:
    text: str
    text_en: str
    language: str
    delivery: Delivery
    backend: str | None = None
    milliseconds: float | None = None


def variables_in(text: str) -> set[str]:
    """The `{name}` variables of a template; format specs, indexing and stray braces are refused."""
    try:
        fields = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError as error:
        raise InvalidCannedReply(f"unbalanced braces in {text!r}") from error
    names = set()
    for name, spec, conversion in fields:
        if name not in VARIABLES or spec or conversion:
            raise InvalidCannedReply(f"unknown variable {{{name}}}; known: {', '.join(VARIABLES)}")
        names.add(name)
    return names


def validate_texts(texts: dict[str, str]) -> None:
    """English is required; every translation uses exactly the English text's variables."""
    if not texts.get(BOT_LANGUAGE, "").strip():
        raise InvalidCannedReply("an English text is required")
    expected = variables_in(texts[BOT_LANGUAGE])
    for language, text in texts.items():
        if language not in LAUNCH_LANGUAGES:
            raise InvalidCannedReply(f"unknown language {language!r}")
        if not text.strip():
            raise InvalidCannedReply(f"the {language} text is empty")
        if variables_in(text) != expected:
            raise InvalidCannedReply(f"the {language} text must use the same variables as the English one "
                                     f"({', '.join(sorted(expected)) or 'none'})")


def save(*, db_session: Session, name: str, texts: dict[str, str], intent: str | None = None) -> CannedReply:
    """Create the reply, or replace the texts and intent of the one with that name."""
    validate_texts(texts)
    reply = db_session.scalars(select(CannedReply).where(CannedReply.name == name)).one_or_none()
    if reply is None:
        reply = CannedReply(name=name, texts=dict(texts), intent=intent)
        db_session.add(reply)
    else:
        reply.texts, reply.intent = dict(texts), intent
    db_session.flush()
    return reply


def get_all(*, db_session: Session) -> list[CannedReply]:
    return list(db_session.scalars(select(CannedReply).order_by(CannedReply.name)))


def get_by_name_or_raise(*, db_session: Session, name: str) -> CannedReply:
    reply = db_session.scalars(select(CannedReply).where(CannedReply.name == name)).one_or_none()
    if reply is None:
        raise CannedReplyNotFound(name)
    return reply


def for_intent(*, db_session: Session, intent: str) -> CannedReply | None:
    return db_session.scalars(select(CannedReply).where(CannedReply.intent == intent)
                              .order_by(CannedReply.name)).first()


def delivery(reply: CannedReply, *, language: str, translator: TranslationService) -> Delivery:
    """How the reply would reach a shopper of `language`, known before sending."""
    if language in reply.texts:
        return "written"
    if translator.backend_for(src_lang=BOT_LANGUAGE, tgt_lang=language) is not None:
        return "machine_translation"
    return "english"


def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        return Locale.parse(BOT_LANGUAGE)


def order_values(*, order: OrderRead | None, customer: CustomerRead | None, language: str) -> dict[str, str]:
    """Each variable's value for this order, formatted for the language's locale (dates, money)."""
    locale = _locale(language)
    values: dict[str, str] = {}
    if customer is not None:
        values["customer_name"] = customer.name
        values["first_name"] = customer.name.split()[0]
    if order is None:
        return values
    values["order_id"] = order.number
    values["order_date"] = format_date(order.placed_at.date(), format="long", locale=locale)
    values["order_total"] = format_currency(order.total, order.currency, locale=locale)
    if shipment := order.latest_shipment:
        values["carrier"] = shipment.carrier
        values["tracking_number"] = shipment.tracking_number
        if shipment.estimated_delivery:
            values["expected_date"] = format_date(shipment.estimated_delivery, format="long", locale=locale)
    if order.refunds:
        values["refund_amount"] = format_currency(order.refunds[-1].amount, order.currency, locale=locale)
    return values


def fill(template: str, values: dict[str, str]) -> str:
    missing = sorted(variables_in(template) - values.keys())
    if missing:
        raise MissingValue(f"no value for {', '.join('{' + name + '}' for name in missing)} "
                           "(pick the order the reply is about, or one that has them)")
    return template.format_map(values)


def render(
    reply: CannedReply, *, language: str, order: OrderRead | None, customer: CustomerRead | None,
    translator: TranslationService,
) -> Rendered:
    """The text the shopper receives and its English, filled from the order."""
    text_en = fill(reply.texts[BOT_LANGUAGE], order_values(order=order, customer=customer, language=BOT_LANGUAGE))
    how = delivery(reply, language=language, translator=translator)
    if how == "written":
        values = order_values(order=order, customer=customer, language=language)
        return Rendered(fill(reply.texts[language], values), text_en, language, how)
    if how == "machine_translation":
        translated = translator.translate(text_en, src_lang=BOT_LANGUAGE, tgt_lang=language)
        if translated is not None:
            return Rendered(translated.text, text_en, language, how, translated.backend, translated.milliseconds)
    return Rendered(text_en, text_en, language, "english")
