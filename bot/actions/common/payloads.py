"""Build the response payloads the gateway renders (see translation/responses.py for the format)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from rasa_sdk.executor import CollectingDispatcher


def payload(response: str, **variables: Any) -> dict[str, Any]:
    return {"response": response, "vars": variables}


def say(dispatcher: CollectingDispatcher, response: str, *, items: list[dict] | None = None, **variables: Any) -> None:
    message = payload(response, **variables)
    if items:
        message["items"] = items
    dispatcher.utter_message(json_message=message)


def term(key: str) -> dict[str, str]:
    return {"term": key}


def day(value: date | datetime | None) -> dict[str, str] | str:
    return {"date": value.isoformat()} if value else ""


def money(amount: Decimal | float, currency: str) -> dict[str, list]:
    return {"money": [str(amount), currency]}
