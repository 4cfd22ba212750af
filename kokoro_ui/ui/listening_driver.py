"""TESTS ONLY: HTTP routes that drive listening sessions through the same handlers as the tab.

The listening tab's events are private on purpose (votes should come from people who listened in
a browser), so nothing here exists unless ``KOKORO_UI_STUDY_DRIVER=1`` is set, which the app
never does by itself, and the app refuses that setting on a Space. With it, a test can run many
sessions at once across several app processes: every route calls the handler the tab's event
calls (`start_session`, `heard`, `cast_vote`, and for the headphone check `heard_screening` and
`answer_screening`), so sessions, the design counts, the clip bank,
the vote rules and the store are all the real ones. `resubmit` hands a stored vote straight to
the store again, to show that the database itself refuses a second row for a trial.
"""

import os
import wave
from typing import Mapping, Optional

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.store import DuplicateVoteError, VoteStoreError
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.ui.listening_tab import (Screen, answer_screening, cast_vote, heard, heard_screening,
                                        start_session)

PREFIX = "/_study_driver"


class Start(BaseModel):
    query: dict[str, str] = {}  # the page URL's query: a crowd link's participant id


class Report(BaseModel):
    session_id: str
    trial: int
    clip: str
    event: str


class Vote(BaseModel):
    session_id: str
    trial: int
    choice: str
    comment: str = ""


class ScreeningReport(BaseModel):
    session_id: str
    trial: int
    event: str


class ScreeningAnswer(BaseModel):
    session_id: str
    trial: int
    answer: str


class Stored(BaseModel):
    session_id: str
    trial: int


class Shown(BaseModel):
    """What the tab would show next, without the clips' paths."""

    session_id: Optional[str]
    trial: int  # 0 once finished (or stuck)
    clips: int  # how many clips were served
    seconds: list[float] = []  # each served clip's length, in the order A, B, X: how long a listener plays it
    finished: bool
    refused: bool
    message: str
    tally: str  # the last screen's words (with the completion code, if any)
    screening: int = 0  # the headphone check's sound to answer (1-3), 0 when none is shown


def study_driver_router(test: ListeningTest) -> APIRouter:
    router = APIRouter(prefix=PREFIX, include_in_schema=False)

    @router.post("/start")
    def start(body: Optional[Start] = None) -> Shown:
        return _shown(start_session(test, body.query if body else {}))

    @router.post("/report")
    def report(body: Report) -> dict:
        return {"votable": heard(test, body.session_id, body.trial, body.clip, body.event)}

    @router.post("/vote")
    def vote(body: Vote) -> Shown:
        return _shown(cast_vote(test, body.session_id, body.trial, body.choice, body.comment))

    @router.post("/screening/report")
    def screening_report(body: ScreeningReport) -> dict:
        return {"answerable": heard_screening(test, body.session_id, body.trial, body.event)}

    @router.post("/screening/answer")
    def screening_answer(body: ScreeningAnswer) -> Shown:
        return _shown(answer_screening(test, body.session_id, body.trial, body.answer))

    @router.post("/resubmit")
    def resubmit(body: Stored) -> JSONResponse:
        try:
            stored = [vote for vote in test.store.votes(body.session_id) if vote.trial == body.trial]
            if not stored:
                return JSONResponse({"message": "no such vote"}, status_code=404)
            test.store.add(stored[0])
        except DuplicateVoteError as error:
            return JSONResponse({"message": str(error), "refused_by": "database"}, status_code=409)
        except VoteStoreError as error:
            return JSONResponse({"message": str(error)}, status_code=503)
        return JSONResponse({"message": "stored twice"}, status_code=200)

    return router


def check_driver_allowed(env: Mapping[str, str] = os.environ) -> None:
    """Refuse the driver on a Space, where real participants vote."""
    if env.get("SPACE_ID"):
        raise KokoroUIError("KOKORO_UI_STUDY_DRIVER is for tests on a developer's machine; it is refused on a Space.")


def _shown(screen: Screen) -> Shown:
    paths = [path for path in (screen.clip_a, screen.clip_b, screen.clip_x) if path is not None]
    return Shown(session_id=screen.session_id, trial=screen.trial_number or 0, clips=len(paths),
                 seconds=[_seconds(path) for path in paths],
                 finished=screen.reveal is not None, refused=screen.refused or screen.stuck, message=screen.message,
                 tally=screen.tally, screening=screen.screening.number if screen.screening else 0)


def _seconds(path: str) -> float:
    with wave.open(path, "rb") as clip:
        return clip.getnframes() / clip.getframerate()
