"""The failures deconf expects, in one leaf module so that any layer can raise them without
importing another layer. Front ends turn each into one clear line and exit 2; none is a bug."""


class DeconfError(Exception):
    """Base of the expected failures: the message is for a person, never a traceback."""


class InputError(DeconfError):
    """Input that is not a log at all (binary, wrong encoding, missing, empty...)."""


class UsageError(DeconfError, ValueError):
    """A wrong setting (an unknown time zone, an unreadable policy file, a bad as-of time)."""


class StoreError(DeconfError):
    """A store that cannot be used as asked (not a store, locked, damaged)."""
