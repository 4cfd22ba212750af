"""Exceptions a user can act on.

Every layer raises these with a message written for the person who typed the input or set
the setting; the UI and the HTTP API translate them once, at the edge, where a refusal is
logged in one line (`for_log`), never with a traceback.
"""

LOGGED_CHARS = 160  # of a refusal's reason in the log: it may quote what the user typed


def for_log(message: str, limit: int = LOGGED_CHARS) -> str:
    """A message as one log line of at most `limit` characters."""
    line = " ".join(str(message).split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


class KokoroUIError(Exception):
    """Base class: the message is safe and useful to show to a user."""


class UnknownVersionError(KokoroUIError):
    """A release name that no build answers to."""


class UnknownVoiceError(KokoroUIError):
    """A voice name that is not in the release's manifest."""


class UnsupportedLanguageError(KokoroUIError):
    """A language code the release cannot speak here (unknown, or its G2P is not installed)."""


class WeightsError(KokoroUIError):
    """Weights are missing, unreachable or do not fit the release they were offered to."""
