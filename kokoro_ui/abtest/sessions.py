"""Listening sessions: trial plans, the blind A/B mapping, what was heard, and the vote rules.

The mapping of A and B to releases lives only here, in server memory, keyed by a random
session id; the browser gets clips and trial numbers, never releases. A vote is accepted only
for the session's current trial, once, after both clips were played to the end; then it is
written to the `VoteStore` and the session moves on. Synthesis is not this module's job.
"""

import hashlib
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

from kokoro_ui.abtest.store import VoteRecord, VoteStore
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.manager import ModelManager

OLD, NEW = "v0.19", "v1.0"
CHOICES = ("A", "B", "none")
MAX_COMMENT_CHARS = 500
MAX_SESSIONS = 5_000  # kept in memory; the oldest are forgotten first (their votes stay stored)


class VoteRefusedError(KokoroUIError):
    """A vote the rules do not allow: wrong trial, second vote, clips not heard, unknown session."""


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str


@dataclass(frozen=True)
class VoicePair:
    """The same-named voice in both releases (a v0.19 voice whose manifest sets `pairs_with`)."""

    name: str  # what a listener is told, e.g. "Bella"
    voices: dict[str, str]  # release -> voice id


@dataclass(frozen=True)
class Trial:
    number: int  # 1-based
    sentence: Sentence
    pair: VoicePair
    a_release: str  # the secret: which release plays as "A"
    b_release: str
    speed: float = 1.0

    def release_of(self, clip: str) -> str:
        return {"A": self.a_release, "B": self.b_release}[clip]


@dataclass
class Listening:
    """What the browser reported about one clip of the current trial."""

    plays: int = 0
    listened_s: float = 0.0
    playing_since: Optional[float] = None  # time.monotonic()
    finished: bool = False  # played to the end at least once

    def report(self, event: str, now: float) -> None:
        if event == "play":
            self.plays += 1
            self.playing_since = now if self.playing_since is None else self.playing_since
        elif event in ("pause", "end"):
            if self.playing_since is not None:
                self.listened_s += now - self.playing_since
                self.playing_since = None
            # browsers send "pause" just before "end"; an "end" with no "play" before it counts for nothing
            self.finished = self.finished or (event == "end" and self.plays > 0)


@dataclass
class Session:
    id: str
    trials: list[Trial]
    current: int = 0  # index into trials; == len(trials) when finished
    shown_at: str = ""
    real_speech: bool = False
    heard: dict[str, Listening] = field(default_factory=lambda: {"A": Listening(), "B": Listening()})
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def finished(self) -> bool:
        return self.current >= len(self.trials)


def load_sentences(path: Path) -> list[Sentence]:
    """Sentences from a text file: ``id<TAB>sentence`` per line, or just the sentence (then its id is
    a hash of its text, stable across reordering). Blank lines and ``#`` comments are skipped."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise KokoroUIError(f"Cannot read the listening-test sentences (KOKORO_UI_LISTENING_SENTENCES): "
                            f"{error}") from None
    sentences = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        sentence_id, tab, text = line.partition("\t")
        if not tab:
            sentence_id, text = "h" + hashlib.sha1(line.encode()).hexdigest()[:8], line
        sentences.append(Sentence(sentence_id.strip(), text.strip()))
    if not sentences:
        raise KokoroUIError(f"The sentence list {path} has no sentences.")
    return sentences


def voice_pairs(manager: ModelManager) -> list[VoicePair]:
    """Every v0.19 voice whose manifest names its v1.0 counterpart (read from manifests, no model)."""
    new_voices = manager.voices(NEW)
    return [VoicePair(voice.name, {OLD: voice.id, NEW: new_voices.get(voice.pairs_with).id})
            for voice in manager.voices(OLD) if voice.pairs_with]


def plan_trials(sentences: list[Sentence], pairs: list[VoicePair], count: int,
                rng: secrets.SystemRandom, speed: float = 1.0) -> list[Trial]:
    """`count` trials: sentences without repeats while they last, voices evenly, and for each trial an
    independent fair coin for which release is A (so earlier reveals say nothing about later trials)."""
    chosen_sentences = _spread(sentences, count, rng)
    chosen_pairs = _spread(pairs, count, rng)
    trials = []
    for number, (sentence, pair) in enumerate(zip(chosen_sentences, chosen_pairs), start=1):
        a_release, b_release = (NEW, OLD) if rng.random() < 0.5 else (OLD, NEW)
        trials.append(Trial(number, sentence, pair, a_release, b_release, speed))
    return trials


def _spread(items: list, count: int, rng: secrets.SystemRandom) -> list:
    """`count` items: shuffled rounds through all of them, so none repeats before all were used."""
    out: list = []
    while len(out) < count:
        out.extend(rng.sample(items, len(items)))
    return out[:count]


class SessionBook:
    """All sessions of this process, and the only place that accepts a vote."""

    def __init__(self, store: VoteStore, sentences: list[Sentence], pairs: list[VoicePair], trials: int):
        if trials < 1:
            raise KokoroUIError(f"A listening session needs at least one trial, not {trials}.")
        self.store = store
        self.sentences, self.pairs, self.trials = sentences, pairs, trials
        self._rng = secrets.SystemRandom()
        self._sessions: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def start(self) -> Session:
        session = Session(secrets.token_urlsafe(16), plan_trials(self.sentences, self.pairs, self.trials, self._rng))
        with self._lock:
            self._sessions[session.id] = session
            while len(self._sessions) > MAX_SESSIONS:
                self._sessions.popitem(last=False)
        return session

    def get(self, session_id: str) -> Session:
        with self._lock:
            session = self._sessions.get(session_id) if isinstance(session_id, str) else None
        if session is None:
            raise VoteRefusedError("This listening session is unknown or has expired: start a new one.")
        return session

    def current_trial(self, session_id: str) -> Optional[Trial]:
        session = self.get(session_id)
        return None if session.finished else session.trials[session.current]

    def show(self, session_id: str, trial_number: int, real_speech: bool) -> None:
        """The trial's clips are on their way to the browser: its listening clock starts now."""
        session = self.get(session_id)
        with session.lock:
            self._check_current(session, trial_number)
            session.shown_at, session.real_speech = _utc_now(), real_speech
            session.heard = {"A": Listening(), "B": Listening()}

    def report(self, session_id: str, trial_number: int, clip: str, event: str) -> bool:
        """Record a play, pause or end of clip A or B; returns whether voting is now allowed.

        Reports for a trial that is no longer current (a late event from the last clip) are ignored."""
        session = self.get(session_id)
        with session.lock:
            if session.finished or trial_number != session.trials[session.current].number or clip not in ("A", "B"):
                return False
            session.heard[clip].report(event, time.monotonic())
            return all(listening.finished for listening in session.heard.values())

    def vote(self, session_id: str, trial_number: int, choice: str, comment: str = "") -> VoteRecord:
        """Accept and store one vote, or raise `VoteRefusedError` / `VoteStoreError` and change nothing."""
        if choice not in CHOICES:
            raise VoteRefusedError(f"Choose A, B or no preference, not {str(choice)[:20]!r}.")
        session = self.get(session_id)
        with session.lock:  # held while storing: a racing second vote waits, then finds the trial done
            trial = self._check_current(session, trial_number)
            if not all(listening.finished for listening in session.heard.values()):
                raise VoteRefusedError("Play both clips, A and B, to the end before you vote.")
            record = self._record(session, trial, choice, _clean_comment(comment))
            self.store.add(record)
            session.current += 1
            return record

    def _check_current(self, session: Session, trial_number: int) -> Trial:
        if session.finished:
            raise VoteRefusedError("This session is finished: every trial has its vote.")
        trial = session.trials[session.current]
        if trial_number != trial.number:
            raise VoteRefusedError(f"That vote was for trial {trial_number}, but this session is on trial "
                                   f"{trial.number}: each trial takes exactly one vote, in order.")
        return trial

    def _record(self, session: Session, trial: Trial, choice: str, comment: str) -> VoteRecord:
        a, b = session.heard["A"], session.heard["B"]
        return VoteRecord(
            session.id, trial.number, trial.sentence.id, trial.sentence.text, trial.pair.voices[OLD],
            trial.a_release, trial.pair.voices[trial.a_release], trial.b_release, trial.pair.voices[trial.b_release],
            choice, trial.release_of(choice) if choice != "none" else None, comment, trial.speed,
            session.real_speech, a.plays, b.plays, round(a.listened_s, 3), round(b.listened_s, 3),
            session.shown_at or _utc_now(), _utc_now())


def _clean_comment(comment: object) -> str:
    text = comment if isinstance(comment, str) else ""
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
    return text[:MAX_COMMENT_CHARS]


def _utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")
