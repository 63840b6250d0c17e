"""Languages, language detection, localized responses and machine translation between the shopper and the
bot."""
