from gateway.exceptions import GatewayError


class MessageTooLong(GatewayError):
    status_code = 413
    code = "message_too_long"


class EmptyMessage(GatewayError):
    status_code = 422
    code = "empty_message"


def check_message_text(text: str, max_chars: int) -> None:
    if not text.strip():
        raise EmptyMessage("the message is empty")
    if len(text) > max_chars:
        raise MessageTooLong(f"the message has {len(text)} characters; at most {max_chars} are accepted")
