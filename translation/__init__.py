"""Languages: detecting the shopper's language, machine translation between the shopper and the bot, and the
assistant's responses rendered in every configured language."""
