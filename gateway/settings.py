from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 30.0
    #: Longest shopper message accepted, in characters.
    max_message_chars: int = 2000
    #: Request bodies above this are refused before parsing (a 10 MB message never reaches the flow).
    max_body_bytes: int = 64_000
    #: Admins upload training files and evaluation rows.
    max_admin_body_bytes: int = 5_000_000
    default_language: str = "en"
    #: After this many shopper turns, at a quiet point, the gateway starts a new Rasa session (slots carried
    #: over): Rasa re-reads and re-featurizes a session's whole history on every turn, so unbounded sessions
    #: slow every turn down (bench/message_path.py).
    rasa_session_max_turns: int = 20
    #: How often connected web widgets look for messages stored by another gateway process (seconds);
    #: messages stored by this process reach them at once.
    live_poll_seconds: float = 5.0
    #: Origins of the shop pages that embed the web widget (CORS for its HTTP calls), as a JSON list.
    widget_origins: list[str] = ["*"]


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
