from gateway.exceptions import EmptyMessage, MessageTooLong


def check_message_text(text: str, max_chars: int) -> None:
    if not text.strip():
        raise EmptyMessage("the message is empty")
    if len(text) > max_chars:
        raise MessageTooLong(f"the message has {len(text)} characters; at most {max_chars} are accepted")
