"""Upgrading a database that already holds conversations keeps them (SQLite rebuilds tables to alter them)."""

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from database.core import make_engine
from database.settings import REPO_ROOT


def _upgrade(connection, revision: str) -> None:
    config = Config(str(REPO_ROOT / "alembic.ini"))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def test_upgrade_keeps_existing_conversations(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.connect() as connection:
        _upgrade(connection, "0001")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO conversations (sender_id, channel, language) VALUES ('s1', 'api', 'es')"))
        connection.execute(text("INSERT INTO messages (conversation_id, role, text, language, delivered) "
                                "VALUES (1, 'shopper', 'hola', 'es', 1)"))
    with engine.connect() as connection:
        _upgrade(connection, "head")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT language_pinned FROM conversations")).scalar_one() in (0, False)
        assert connection.execute(text("SELECT text FROM messages")).scalar_one() == "hola"
        assert connection.execute(text("PRAGMA foreign_key_check")).fetchall() == []


def test_upgrade_moves_each_users_token_into_the_tokens_table(tmp_path):
    from handoff.agents import token_hash

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.connect() as connection:
        _upgrade(connection, "0010")
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO agent_users (name, role, token_hash) VALUES ('old', 'agent', :h)"),
                           {"h": token_hash("old-token")})
    with engine.connect() as connection:
        _upgrade(connection, "head")
    with engine.connect() as connection:
        row = connection.execute(text("SELECT u.name, u.active, u.password_hash FROM agent_api_tokens t "
                                      "JOIN agent_users u ON u.id = t.user_id WHERE t.token_hash = :h"),
                                 {"h": token_hash("old-token")}).one()
        assert row[0] == "old" and row[1] in (1, True) and row[2] is None
