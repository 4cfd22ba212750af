"""Listening sessions: trial plans, the blind mapping of clips to releases, what was heard, and the
vote rules.

The mapping of A, B (and in ABX, X) to releases lives only here, in server memory, keyed by a
random session id; the browser gets clips and trial numbers, never releases. A session lives in
the process that started it (several processes behind a load balancer need sticky sessions);
its votes go to the shared `VoteStore`. A vote is accepted only for the session's current
trial, once, after every clip was played to the end; then it is written to the store and the
session moves on. What trials a session gets and how each is arranged is `design.py`'s;
synthesis is not this module's job. The quality checks hook in here, their rules live in their own
modules: the attention trial (`attention`) is a slot of the plan whose answer is stored as the
session's check (`VoteStore.mark`), never as a vote; the headphone screening (`headphones`) comes
before the first trial, and no trial is shown or voted on until it has its three answers.
"""

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Optional

from kokoro_ui.abtest import attention
from kokoro_ui.abtest.bank import RENDERING
from kokoro_ui.abtest.crowd import Participant
from kokoro_ui.abtest.design import AB, ABX, CMOS, MODES, MOS, Arrangement, Slot, arrange, plan_for, trial_count
from kokoro_ui.abtest.headphones import HeadphoneScreening, ScreeningTrial
from kokoro_ui.abtest.heard import Listening
from kokoro_ui.abtest.material import Sentence, VoicePair
from kokoro_ui.abtest.records import ATTENTION, HEADPHONES, CheckRecord, VoteRecord
from kokoro_ui.abtest.store import VoteStore, VoteStoreError
from kokoro_ui.errors import KokoroUIError

CHOICES = ("A", "B", "none")
MOS_SCORES = ("1", "2", "3", "4", "5")  # P.800: Bad, Poor, Fair, Good, Excellent
CMOS_SCORES = ("-3", "-2", "-1", "0", "1", "2", "3")  # B compared with A: much worse … much better
CHOICES_BY_MODE = {AB: CHOICES, ABX: ("A", "B"),  # ABX is a forced choice: "can't tell" would hide guessing
                   MOS: MOS_SCORES, CMOS: CMOS_SCORES}
CHOICE_WORDS = {AB: "A, B or no preference", ABX: "A or B", MOS: "a score from 1 to 5", CMOS: "a score from -3 to 3"}
MAX_COMMENT_CHARS = 500
MAX_SESSIONS = 5_000  # kept in memory; the oldest are forgotten first (their votes stay stored)
IDLE_S = 1800.0  # a session untouched this long no longer counts as under way


class VoteRefusedError(KokoroUIError):
    """A vote the rules do not allow: wrong trial, second vote, clips not heard, unknown session."""


@dataclass(frozen=True)
class Trial:
    """A trial as the server knows it: what is said, by whom, and which release plays each clip."""

    number: int  # 1-based
    sentence: Sentence
    pair: VoicePair
    a_release: str  # the secret: which release plays as "A"
    b_release: str
    speed: float = 1.0
    mode: str = AB
    x_release: Optional[str] = None  # ABX: which release X is
    repeat_of: Optional[int] = None
    attention: Optional[str] = None  # the attention trial: the answer its clips ask for

    @property
    def spoken(self) -> str:
        """What the clips say: the sentence, or the attention trial's instruction (never shown)."""
        return attention.spoken(self.sentence, self.attention, self.mode)

    @property
    def clips(self) -> tuple[str, ...]:
        return {ABX: ("A", "B", "X"), MOS: ("A",)}.get(self.mode, ("A", "B"))

    def release_of(self, clip: str) -> str:
        return {"A": self.a_release, "B": self.b_release, "X": self.x_release}[clip]


@dataclass
class Session:
    id: str
    trials: list[Slot]
    mode: str = AB
    speed: float = 1.0
    current: int = 0  # index into trials; == len(trials) when finished
    arranged: dict[int, Arrangement] = field(default_factory=dict)  # trial number -> its secret, once shown
    shown_at: str = ""
    real_speech: bool = False
    rendering: str = RENDERING  # how the current trial's clips were made
    participant: Optional[Participant] = None  # from a crowd link
    screening: Optional[HeadphoneScreening] = None  # with KOKORO_UI_HEADPHONE_CHECK: before the first trial
    heard: dict[str, Listening] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    active_at: float = field(default_factory=time.monotonic)  # its last start, showing, report or vote

    @property
    def finished(self) -> bool:
        return self.current >= len(self.trials)


class SessionBook:
    """All sessions of this process, and the only place that accepts a vote."""

    def __init__(self, store: VoteStore, sentences: list[Sentence], pairs: list[VoicePair], trials: int,
                 mode: str = AB, speed: float = 1.0, attention_check: bool = False, headphone_check: bool = False):
        if trials < 1:
            raise KokoroUIError(f"A listening session needs at least one trial, not {trials}.")
        if mode not in MODES:
            raise KokoroUIError(f"KOKORO_UI_LISTENING_MODE must be one of {', '.join(MODES)}, not {mode!r}.")
        if not pairs:
            raise KokoroUIError("The listening test has no voice pairs to play.")
        self.store = store
        self.sentences, self.pairs, self.trials, self.mode, self.speed = sentences, pairs, trials, mode, speed
        self.attention_check, self.headphone_check = attention_check, headphone_check
        self._rng = secrets.SystemRandom()
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, participant: Optional[Participant] = None) -> Session:
        """A new session; for a crowd `participant` who has finished one already, a refusal."""
        if participant and self.store.has_finished(participant.id):
            raise VoteRefusedError("You have already finished this study: thank you! Each participant takes "
                                   "it once, so there is no second session.")
        slots = plan_for(self.mode, self.sentences, self.pairs, self.trials, self._rng,
                         self.store.ratings_by_cell(self.mode))
        if self.attention_check:
            slots = attention.with_attention_trial(slots, self.sentences, self._rng, self.mode)
        session = Session(secrets.token_urlsafe(16), slots, self.mode, self.speed, participant=participant,
                          screening=HeadphoneScreening.draw(self._rng) if self.headphone_check else None)
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    @property
    def length(self) -> int:
        """How many trials a session has, the attention trial included."""
        count = trial_count(self.mode, self.trials)
        return count + 1 if self.attention_check and count >= 2 else count

    def get(self, session_id: str) -> Session:
        with self._lock:
            session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            raise VoteRefusedError("This listening session is unknown or has expired: start a new one.")
        session.active_at = time.monotonic()
        return session

    def running(self) -> int:
        """Sessions of this process under way: not finished, and touched in the last `IDLE_S` seconds."""
        since = time.monotonic() - IDLE_S
        with self._lock:
            return sum(not session.finished and session.active_at >= since for session in self._sessions.values())

    def current_trial(self, session_id: str) -> Optional[Trial]:
        """The trial the session is on (None once finished). Its arrangement is drawn from the shared
        design counts the first time it is asked for (`design.arrange`); later calls return the same."""
        session = self.get(session_id)
        with session.lock:
            return None if session.finished else self._arranged(session, session.trials[session.current])

    def show_screening(self, session_id: str) -> Optional[ScreeningTrial]:
        """The headphone screening's trial to show now (its listening starts now); None without a
        screening or once it has its answers."""
        session = self.get(session_id)
        with session.lock:
            return session.screening.show() if session.screening else None

    def report_screening(self, session_id: str, number: int, event: str) -> bool:
        """A play, pause or end of the screening's sound; returns whether it may be answered now."""
        session = self.get(session_id)
        with session.lock:
            return bool(session.screening) and session.screening.report(number, event)

    def answer_screening(self, session_id: str, number: int, answer: str) -> None:
        """Take one screening answer (`headphones`); the last one stores the verdict."""
        session = self.get(session_id)
        with session.lock:
            screening = session.screening
            if screening is None:
                raise VoteRefusedError("This session has no headphone check.")
            screening.answer(number, answer)
            if screening.done:
                try:
                    self._mark(session, HEADPHONES, screening.passed, _spaced(screening.right), _spaced(screening.answers))
                except VoteStoreError:
                    screening.answers.pop()  # not stored: the same answer may be given again
                    raise

    def show(self, session_id: str, trial_number: int, real_speech: bool, rendering: str = RENDERING) -> None:
        """The trial's clips, made as `rendering` says, are on their way to the browser: its listening
        clock starts now."""
        session = self.get(session_id)
        with session.lock:
            trial = self._arranged(session, self._check_current(session, trial_number))
            session.shown_at, session.real_speech, session.rendering = _utc_now(), real_speech, rendering
            session.heard = {clip: Listening() for clip in trial.clips}

    def report(self, session_id: str, trial_number: int, clip: str, event: str) -> bool:
        """Record a play, pause or end of a clip (A, B, or X); returns whether voting is now allowed.

        Reports for a trial that is no longer current (a late event from the last clip) are ignored."""
        session = self.get(session_id)
        with session.lock:
            if (session.finished or trial_number != session.trials[session.current].number
                    or clip not in session.heard):
                return False
            session.heard[clip].report(event, time.monotonic())
            return _all_heard(session)

    def vote(self, session_id: str, trial_number: int, choice: str, comment: str = "") -> Optional[VoteRecord]:
        """Accept and store one vote, or raise `VoteRefusedError` / `VoteStoreError` and change nothing.
        The attention trial's answer is stored as the session's check, and returns no vote."""
        session = self.get(session_id)
        if choice not in CHOICES_BY_MODE[session.mode]:
            raise VoteRefusedError(f"Choose {CHOICE_WORDS[session.mode]}, not {str(choice)[:20]!r}.")
        with session.lock:  # held while storing: a racing second vote waits, then finds the trial done
            slot = self._check_current(session, trial_number)
            if not _all_heard(session):  # never shown counts as not heard
                clips = {ABX: "A, B and X", MOS: "the clip"}.get(session.mode, "both clips, A and B,")
                raise VoteRefusedError(f"Play {clips} to the end before you vote.")
            record = None
            if slot.attention is not None:  # the session's attention check: a mark, never a vote
                self._mark(session, ATTENTION, choice == slot.attention, slot.attention, choice)
            else:
                record = self._record(session, self._arranged(session, slot), choice, _clean_comment(comment))
                self.store.add(record, finishes=session.current + 1 == len(session.trials))
            session.current += 1
            return record

    def _mark(self, session: Session, kind: str, passed: bool, asked: str, answered: str) -> None:
        participant = session.participant.id if session.participant else None
        self.store.mark(CheckRecord(session.id, kind, passed, asked, answered, _utc_now(), participant))

    def _arranged(self, session: Session, slot: Slot) -> Trial:
        if slot.number not in session.arranged:
            earlier = slot.repeat_of or slot.other_release_of  # the same cell, the other way round
            session.arranged[slot.number] = (
                attention.arrangement(session.mode) if slot.attention is not None
                else session.arranged[earlier].swapped() if earlier
                else arrange(self.store, slot, session.mode, self._rng))
        secret = session.arranged[slot.number]
        return Trial(slot.number, slot.sentence, slot.pair, secret.a_release, secret.b_release, session.speed,
                     session.mode, secret.x_release, slot.repeat_of, slot.attention)

    def _check_current(self, session: Session, trial_number: int) -> Slot:
        if session.finished:
            raise VoteRefusedError("This session is finished: every trial has its vote.")
        if session.screening and not session.screening.done:
            raise VoteRefusedError("Finish the headphone check first: the trials come after it.")
        slot = session.trials[session.current]
        if trial_number != slot.number:
            raise VoteRefusedError(f"That vote was for trial {trial_number}, but this session is on trial "
                                   f"{slot.number}: each trial takes exactly one vote, in order.")
        return slot

    def _record(self, session: Session, trial: Trial, choice: str, comment: str) -> VoteRecord:
        heard = {clip: session.heard.get(clip, Listening()) for clip in ("A", "B", "X")}
        abx, scored, one_clip = trial.mode == ABX, trial.mode in (MOS, CMOS), trial.mode == MOS
        score = int(choice) if scored else None
        return VoteRecord(
            session.id, trial.number, trial.sentence.id, trial.sentence.text, trial.pair.id,
            trial.a_release, trial.pair.voices[trial.a_release], None if one_clip else trial.b_release,
            None if one_clip else trial.pair.voices[trial.b_release], None if scored else choice,
            _preferred(trial, choice, score), comment, trial.speed,
            session.real_speech, heard["A"].plays, heard["B"].plays, round(heard["A"].listened_s, 3),
            round(heard["B"].listened_s, 3), session.shown_at or _utc_now(), _utc_now(), trial.mode,
            trial.x_release, heard["X"].plays, round(heard["X"].listened_s, 3),
            trial.release_of(choice) == trial.x_release if abx else None, trial.repeat_of,
            session.rendering, score, *_crowd(session.participant))


def _preferred(trial: Trial, choice: str, score: Optional[int]) -> Optional[str]:
    """The release a vote prefers: A/B, the one chosen; CMOS, the one the score leans to; else None."""
    if trial.mode == AB and choice != "none":
        return trial.release_of(choice)
    if trial.mode == CMOS and score:
        return trial.b_release if score > 0 else trial.a_release
    return None


def _crowd(participant: Optional[Participant]) -> tuple[Optional[str], ...]:
    """A vote's participant, platform, study and platform session (all None without a crowd link)."""
    if participant is None:
        return None, None, None, None
    return participant.id, participant.platform, participant.study_id, participant.platform_session


def _spaced(answers: list[int]) -> str:
    return " ".join(str(answer) for answer in answers)


def _all_heard(session: Session) -> bool:
    return bool(session.heard) and all(listening.finished for listening in session.heard.values())


def _clean_comment(comment: object) -> str:
    text = comment if isinstance(comment, str) else ""
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    return text[:MAX_COMMENT_CHARS]


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
