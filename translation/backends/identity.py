from translation.backends.base import TranslationError


class IdentityBackend:
    """English to English: the bot language needs no translation."""

    name = "identity"

    def supports(self, *, src_lang: str, tgt_lang: str) -> bool:
        return src_lang == tgt_lang

    def translate(self, texts: list[str], *, src_lang: str, tgt_lang: str) -> list[str]:
        if src_lang != tgt_lang:
            raise TranslationError(f"identity cannot translate {src_lang}->{tgt_lang}")
        return list(texts)
