class GatewayError(Exception):
    """An error with a status and a code the API returns as `{"error": {"code", "message"}}`."""

    status_code = 400
    code = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedLanguage(GatewayError):
    status_code = 422
    code = "unsupported_language"


class InvalidCustomerToken(GatewayError):
    status_code = 401
    code = "invalid_customer_token"


class AssistantUnavailable(GatewayError):
    status_code = 503
    code = "assistant_unavailable"


class EmptyMessage(GatewayError):
    status_code = 422
    code = "empty_message"


class MessageTooLong(GatewayError):
    status_code = 413
    code = "message_too_long"


class Unauthorized(GatewayError):
    status_code = 401
    code = "unauthorized"


class Forbidden(GatewayError):
    status_code = 403
    code = "forbidden"


class ChannelNotConfigured(GatewayError):
    status_code = 404
    code = "channel_not_configured"


class InvalidBody(GatewayError):
    status_code = 400
    code = "invalid_body"


class InvalidCredentials(GatewayError):
    status_code = 401
    code = "invalid_credentials"


class RetryLater(GatewayError):
    """An error that passes with time: the answer carries `Retry-After: retry_after` (seconds)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AccountLocked(RetryLater):
    """Too many wrong passwords in a row: refused (even the right one) for `retry_after` seconds."""

    status_code = 423
    code = "account_locked"


class CsrfFailed(GatewayError):
    status_code = 403
    code = "csrf_failed"


class ReservedSenderId(GatewayError):
    """A messaging channel's id (`telegram:...`): those conversations start only through their webhooks."""

    status_code = 422
    code = "reserved_sender_id"
