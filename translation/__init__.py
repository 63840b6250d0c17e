"""Languages, localized responses and (later) machine translation between the shopper and the bot."""
