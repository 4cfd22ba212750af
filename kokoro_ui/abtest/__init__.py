"""The blind A/B listening test: sessions and vote rules (`sessions`), the vote database (`store`),
clips and loudness (`clips`) and the statistics of the results (`stats`).

`ListeningTest` ties them together for the UI: it turns a session's current trial into two
anonymous, loudness-matched files, and nothing it hands out names a release.
"""

from dataclasses import dataclass
from typing import Optional

from kokoro_ui.abtest.clips import ClipCache, match_loudness, write_blind_wav
from kokoro_ui.abtest.sessions import NEW, OLD, SessionBook, Trial, load_sentences, voice_pairs
from kokoro_ui.abtest.store import VoteStore, open_store
from kokoro_ui.manager import ModelManager


@dataclass(frozen=True)
class TrialClips:
    """What the browser may know about a trial: no release, no voice id, no file name with meaning."""

    number: int
    total: int
    sentence: str
    voice_name: str
    a_path: str
    b_path: str
    noise_note: str  # "" when both releases speak with real weights


class ListeningTest:
    """One per app: the vote store, the sessions and the clip cache, shared by the three tabs."""

    def __init__(self, manager: ModelManager, store: VoteStore, book: SessionBook, clips: ClipCache):
        self.manager, self.store, self.book, self.clips = manager, store, book, clips

    @classmethod
    def open(cls, manager: ModelManager) -> "ListeningTest":
        """Built from the manager's settings: ``votes_db``, ``listening_trials``, ``listening_sentences``."""
        settings = manager.settings
        store = open_store(settings.votes_db)
        book = SessionBook(store, load_sentences(settings.listening_sentences), voice_pairs(manager),
                           settings.listening_trials)
        return cls(manager, store, book, ClipCache(manager))

    def current_clips(self, session_id: str) -> Optional[TrialClips]:
        """The session's current trial as two blind files (None once every trial has its vote).

        Synthesises the two clips if they are not cached yet, then starts on the next trial's in the
        background while the listener listens."""
        trial = self.book.current_trial(session_id)
        if trial is None:
            return None
        clips = [self.clips.get(release, trial.pair.voices[release], trial.sentence.text, trial.speed)
                 for release in (trial.a_release, trial.b_release)]
        audio_a, audio_b = match_loudness(clips)
        paths = str(write_blind_wav(audio_a)), str(write_blind_wav(audio_b))
        self.book.show(session_id, trial.number, all(clip.real_speech for clip in clips))
        self._prefetch_after(session_id, trial)
        noise = {trial.a_release: clips[0].real_speech, trial.b_release: clips[1].real_speech}
        return TrialClips(trial.number, len(self.book.get(session_id).trials), trial.sentence.text, trial.pair.name,
                          *paths, noise_note(noise))

    def _prefetch_after(self, session_id: str, trial: Trial) -> None:
        trials = self.book.get(session_id).trials
        if trial.number < len(trials):
            upcoming = trials[trial.number]
            self.clips.prefetch([(release, upcoming.pair.voices[release], upcoming.sentence.text, upcoming.speed)
                                 for release in (OLD, NEW)])


def noise_note(real_speech: dict[str, bool]) -> str:
    """Plain words for listeners when a release runs on synthetic weights, without breaking blindness
    when it need not be broken (both noisy: no release is named)."""
    noisy = [release for release, real in real_speech.items() if not real]
    if not noisy:
        return ""
    if len(noisy) == len(real_speech):
        return ("⚠️ This server has no real voice weights installed: **both clips are noise, not speech.** "
                "You can try the test, but votes cast now measure nothing and are kept out of the results.")
    return (f"⚠️ Kokoro {noisy[0]} runs on synthetic weights here: **its clips are noise, not speech**, so this "
            "test cannot be blind. Votes cast now are kept out of the results.")
