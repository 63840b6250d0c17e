"""The demo shop's canned replies (canned/replies.yml)."""

from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from canned import service
from canned.models import CannedReply

SEED_PATH = Path(__file__).resolve().parent / "replies.yml"


def seed_canned_replies(db_session: Session, path: Path = SEED_PATH) -> bool:
    """Add the written replies when the shop has none yet; True when it did."""
    if db_session.scalars(select(CannedReply.id).limit(1)).first() is not None:
        return False
    for name, reply in yaml.safe_load(path.read_text(encoding="utf-8"))["replies"].items():
        service.save(db_session=db_session, name=name, texts=reply["texts"], intent=reply.get("intent"))
    return True
