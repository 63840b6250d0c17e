"""One shopper's proactive-message records for a data-rights request.

Erasure deletes the cash-on-delivery questions sent to the shopper's conversations (so no reminder follows), and
keeps an opt-out: it holds only the channel id and is what stops the shop from messaging that number again.
"""

from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from proactive.models import CodConfirmation, OptOut


def export(*, db_session: Session, customer_id: int | None, sender_ids: list[str]) -> dict[str, Any]:
    confirmations = db_session.scalars(select(CodConfirmation).where(CodConfirmation.sender_id.in_(sender_ids))
                                       .order_by(CodConfirmation.id)).all() if sender_ids else []
    conditions: list[ColumnElement[bool]] = [OptOut.sender_id.in_(sender_ids)] if sender_ids else []
    if customer_id is not None:
        conditions.append(OptOut.customer_id == customer_id)
    opt_outs = db_session.scalars(select(OptOut).where(or_(*conditions))).all() if conditions else []
    return {
        "cod_confirmations": [{"order_number": c.order_number, "sender_id": c.sender_id, "status": c.status,
                               "language": c.language, "asked_at": c.asked_at.isoformat(),
                               "reminded_at": c.reminded_at.isoformat() if c.reminded_at else None,
                               "resolved_at": c.resolved_at.isoformat() if c.resolved_at else None}
                              for c in confirmations],
        "opt_outs": [{"sender_id": o.sender_id, "created_at": o.created_at.isoformat() if o.created_at else None}
                     for o in opt_outs],
    }


def erase(*, db_session: Session, sender_ids: list[str]) -> dict[str, int]:
    if not sender_ids:
        return {"cod_confirmations": 0}
    confirmations = db_session.scalars(select(CodConfirmation).where(CodConfirmation.sender_id.in_(sender_ids))).all()
    for confirmation in confirmations:
        db_session.delete(confirmation)
    db_session.flush()
    return {"cod_confirmations": len(confirmations)}
