"""What the gateway needs to know about a response beyond its text, declared once per response key of
`bot/responses/<language>.yml`: whether it asks the shopper something, which quick replies it carries, whether it
offers a person and whether it tells of a handoff. The gateway's and the inbox's sets are derived here."""

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class QuickReply:
    """A button: its title is the term `title_term` of the response files, its payload what a click sends."""

    title_term: str
    payload: str


#: The buttons under a response that offers a person.
PERSON_BUTTONS = (QuickReply("button.person_yes", "/affirm"), QuickReply("button.person_no", "/deny"))


@dataclass(frozen=True)
class ResponseTraits:
    #: An answer is awaited: no new Rasa session starts, and a "no" answers it rather than correcting the assistant.
    asks: bool = False
    #: Asks whether the shopper wants a person (with PERSON_BUTTONS).
    offers_person: bool = False
    quick_replies: tuple[QuickReply, ...] = ()
    #: The web clients' event: a person takes over ("opened") or the assistant is back ("closed").
    handoff: Literal["opened", "closed"] | None = None

    @property
    def buttons(self) -> tuple[QuickReply, ...]:
        return PERSON_BUTTONS if self.offers_person else self.quick_replies


RESPONSES: dict[str, ResponseTraits] = {
    "utter_ask_order_id": ResponseTraits(asks=True),
    "utter_ask_order_email": ResponseTraits(asks=True),
    "utter_confirm_cancel": ResponseTraits(asks=True, quick_replies=(
        QuickReply("button.cancel_yes", "/affirm"), QuickReply("button.cancel_no", "/deny"))),
    "utter_offer_human": ResponseTraits(asks=True, offers_person=True),
    "utter_offer_human_help": ResponseTraits(asks=True, offers_person=True),
    "utter_payment_problem": ResponseTraits(asks=True, offers_person=True),
    # The satisfaction question: a click sends the digit, the same as typing it (see csat.service.parse_answer)
    "utter_csat_ask": ResponseTraits(quick_replies=tuple(QuickReply(f"button.csat_{n}", str(n)) for n in range(1, 6))),
    "utter_handoff_queue": ResponseTraits(handoff="opened"),
    "utter_handoff_after_hours": ResponseTraits(handoff="opened"),
    "utter_handoff_closed": ResponseTraits(handoff="closed"),
}

#: Replies that ask the shopper something.
QUESTIONS = frozenset(key for key, traits in RESPONSES.items() if traits.asks)
#: The buttons offered under each response that carries any.
BUTTONS: dict[str, tuple[QuickReply, ...]] = {key: traits.buttons for key, traits in RESPONSES.items()
                                              if traits.buttons}
#: Responses that tell the shopper a person takes over, or that the assistant is back.
HANDOFF_EVENTS: dict[str, str] = {key: traits.handoff for key, traits in RESPONSES.items() if traits.handoff}
