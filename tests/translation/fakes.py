"""Translation backends for tests: one that misbehaves on purpose."""

import re


class AdversarialBackend:
    """Translates by upper-casing, and breaks protected values the way real MT models do: drops a
    placeholder, swaps two, changes a digit, or adds a number of its own. `mode` picks the failure."""

    name = "adversarial"

    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.calls: list[list[str]] = []

    def supports(self, *, src_lang: str, tgt_lang: str) -> bool:
        return True

    def translate(self, texts: list[str], *, src_lang: str, tgt_lang: str) -> list[str]:
        self.calls.append(texts)
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> str:
        out = text.upper()
        if self.mode == "drop":
            out = re.sub(r"\[0\]", "", out, count=1)
        elif self.mode == "reorder":
            out = out.replace("[0]", "[X]").replace("[1]", "[0]").replace("[X]", "[1]")
        elif self.mode == "change_numbers":
            out = re.sub(r"\d", lambda m: str((int(m.group(0)) + 1) % 10), out)
        elif self.mode == "invent_number":
            out += " 42"
        return out
