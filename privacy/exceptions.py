class PrivacyError(Exception):
    """Base of the privacy package's errors."""


class SubjectNotFound(PrivacyError):
    """No customer, and no conversation, matches the request."""
