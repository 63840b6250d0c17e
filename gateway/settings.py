from functools import lru_cache
from pathlib import Path

from limits import parse_many
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_seconds: float = 30.0
    #: Each Rasa replica's own address when several serve behind `rasa_url` (JSON list): a model activation
    #: loads the model on every one of them.
    rasa_replica_urls: list[str] = []
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
    #: Origins of the shop pages that embed the web widget (CORS for its HTTP calls), as a JSON list. The
    #: gateway's own origin is always allowed; `["*"]` allows every site and is never the default.
    widget_origins: list[str] = []
    #: Bearer token for Prometheus `/metrics`; unset, the endpoint answers 404.
    metrics_token: SecretStr | None = None

    # Rate limits, in the `limits` notation ("30/minute", "10/15minutes", several as "5/second;300/minute");
    # over one the answer is 429.
    #: Shopper turns and socket messages per conversation.
    rate_limit_conversation: str = "30/minute"
    #: Requests per client address across chat, parse and the widget socket (a load test raises it). The
    #: per-second rate stops one address's burst from taking the CPU from every other shopper at once.
    rate_limit_client: str = "5/second;300/minute"
    #: Failed sign-ins per user name and per client address.
    rate_limit_signin: str = "10/15minutes"
    #: Agent and admin API requests per signed-in user (session or API token).
    rate_limit_user: str = "600/minute"
    #: Addresses of reverse proxies whose `X-Forwarded-For` names the client (JSON list of IPs or networks).
    trusted_proxies: list[str] = []
    #: Shared counters for every gateway replica (`redis://host:port/db`); in-process memory when unset.
    redis_url: str | None = Field(default=None, validation_alias=AliasChoices("REDIS_URL", "GATEWAY_REDIS_URL"))
    #: The status file of the supervisor that runs this stack (`shopbot run` sets it): `/health` reports it.
    supervisor_status: Path | None = Field(default=None, validation_alias=AliasChoices(
        "SHOPBOT_SUPERVISOR_STATUS", "GATEWAY_SUPERVISOR_STATUS"))
    #: How often messages stored while the assistant was down are looked for and answered (seconds).
    replay_interval_seconds: float = 2.0
    #: A stored message older than this when the assistant is back goes to a person instead (seconds).
    replay_handoff_after_seconds: float = 900.0

    @field_validator("rate_limit_conversation", "rate_limit_client", "rate_limit_signin", "rate_limit_user")
    @classmethod
    def _limits_notation(cls, value: str) -> str:
        try:
            parse_many(value)
        except ValueError as error:
            raise ValueError(f"not a rate limit in the `limits` notation (\"30/minute\"): {value!r}") from error
        return value


@lru_cache
def get_settings() -> GatewaySettings:
    return GatewaySettings()
