from alembic import command
from alembic.config import Config

from database.settings import REPO_ROOT


def upgrade_database() -> None:
    """Create or migrate the database named by DATABASE_URL to the latest schema."""
    command.upgrade(Config(str(REPO_ROOT / "alembic.ini")), "head")
