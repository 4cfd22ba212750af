"""Who a crowd participant is, from the link they arrived on, and where they go when they are done.

Prolific opens a study's link with ``PROLIFIC_PID``, ``STUDY_ID`` and ``SESSION_ID`` in its query;
any other recruiter can put a ``participant`` id there. The id is kept with every rating the
participant gives (for the researcher's own records and payments) and is never shown to anyone
else: not on the page, not in the Results tab's CSV. A finished participant is remembered by the
votes store (`VoteStore.finish`), so the same id gets no second session. An id that does not
look like an id (other than letters, digits, ``_``, ``-`` and ``.``, or over 64 characters) is
refused rather than stored.
"""

import re
from dataclasses import dataclass
from typing import Mapping, Optional
from urllib.parse import quote

from kokoro_ui.errors import KokoroUIError

PROLIFIC, LINK = "prolific", "link"
PROLIFIC_RETURN = "https://app.prolific.com/submissions/complete?cc="
_ID = re.compile(r"[A-Za-z0-9_.\-]{1,64}")


@dataclass(frozen=True)
class Participant:
    id: str
    platform: str  # 'prolific' (PROLIFIC_PID) or 'link' (a generic ``participant``)
    study_id: Optional[str] = None
    platform_session: Optional[str] = None


def participant_from(query: Mapping[str, str]) -> Optional[Participant]:
    """The participant a link's query names, or None when it names none."""
    if query.get("PROLIFIC_PID"):
        return Participant(_checked(query["PROLIFIC_PID"]), PROLIFIC, _optional(query.get("STUDY_ID")),
                           _optional(query.get("SESSION_ID")))
    if query.get("participant"):
        return Participant(_checked(query["participant"]), LINK)
    return None


def completion_words(code: str, participant: Optional[Participant]) -> str:
    """What the last screen says about the completion code ("" without one)."""
    if not code:
        return ""
    words = f"### Your completion code: `{code}`"
    if participant and participant.platform == PROLIFIC:
        link = PROLIFIC_RETURN + quote(code, safe="")
        words += f"\n[Return to Prolific to finish]({link}) (the code is filled in for you)."
    return words


def _checked(value: str) -> str:
    if not _ID.fullmatch(value):
        raise KokoroUIError("The participant id in this link is not one this study can take; please use the link "
                            "the study gave you.")
    return value


def _optional(value: Optional[str]) -> Optional[str]:
    return _checked(value) if value else None
