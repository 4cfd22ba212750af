"""The blind listening test: what trials are made of (`material`), the study design (`design`),
sessions and vote rules (`sessions`), the vote database (`store`, `store_sqlite`,
`store_postgres`, `schema`), where it lives (`persistence`), clips and loudness (`clips`), the
clip bank (`bank`, filled by ``python -m kokoro_ui.abtest render``), the results' numbers
(`analysis`, `stats`) and the backup to a Hugging Face dataset (`backup`).

`ListeningTest` ties them together for the UI: it turns a session's current trial into two (ABX:
three) anonymous, loudness-matched files, and nothing it hands out names a release.
"""

from dataclasses import dataclass
from typing import Optional

from kokoro_ui.abtest.bank import ClipBank
from kokoro_ui.abtest.clips import ClipCache, write_blind_wav
from kokoro_ui.outputs.loudness import match_loudness
from kokoro_ui.abtest.design import ABX
from kokoro_ui.abtest.material import NEW, OLD, load_sentences, voice_pairs
from kokoro_ui.abtest.persistence import clip_bank_folder, votes_location
from kokoro_ui.abtest.sessions import SessionBook, Trial
from kokoro_ui.abtest.store import VoteStore, open_store
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.config.settings import Settings


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
    x_path: Optional[str] = None  # ABX only


class ListeningTest:
    """One per app: the vote store, the sessions and the clip cache, shared by the three tabs."""

    def __init__(self, manager: ModelManager, store: VoteStore, book: SessionBook, clips: ClipCache):
        self.manager, self.store, self.book, self.clips = manager, store, book, clips

    @classmethod
    def open(cls, manager: ModelManager, settings: Optional[Settings] = None) -> "ListeningTest":
        """Built from `settings` (default: the manager's): the votes store, the sentences, voices, mode
        and speed, and the clip bank."""
        settings = settings or manager.settings
        store = open_store(votes_location(settings).target)
        book = SessionBook(store, load_sentences(settings.listening_sentences),
                           voice_pairs(manager, settings.listening_voices), settings.listening_trials,
                           settings.listening_mode, settings.listening_speed)
        return cls(manager, store, book, ClipCache(manager, bank=ClipBank(clip_bank_folder(settings))))

    def current_clips(self, session_id: str) -> Optional[TrialClips]:
        """The session's current trial as blind files (None once every trial has its vote).

        Takes the clips from the bank or synthesises them, then starts on the next trial's in the
        background while the listener listens."""
        trial = self.book.current_trial(session_id)
        if trial is None:
            return None
        releases = [trial.release_of(clip) for clip in trial.clips]
        clips = [self.clips.get(release, trial.pair.voices[release], trial.sentence.text, trial.speed)
                 for release in releases]
        paths = [str(write_blind_wav(audio)) for audio in match_loudness(clips)]  # fresh dither each: X != A
        self.book.show(session_id, trial.number, all(clip.real_speech for clip in clips))
        self._prefetch_after(session_id, trial)
        noise = {release: clip.real_speech for release, clip in zip(releases, clips)}
        return TrialClips(trial.number, len(self.book.get(session_id).trials), trial.sentence.text, trial.pair.name,
                          paths[0], paths[1], noise_note(noise), paths[2] if trial.mode == ABX else None)

    def _prefetch_after(self, session_id: str, trial: Trial) -> None:
        slots = self.book.get(session_id).trials
        if trial.number < len(slots):
            upcoming = slots[trial.number]
            self.clips.prefetch([(release, upcoming.pair.voices[release], upcoming.sentence.text, trial.speed)
                                 for release in (OLD, NEW)])


def noise_note(real_speech: dict[str, bool]) -> str:
    """Plain words for listeners when a release runs on synthetic weights, without breaking blindness
    when it need not be broken (both noisy: no release is named)."""
    noisy = [release for release, real in real_speech.items() if not real]
    if not noisy:
        return ""
    if len(set(noisy)) == len(set(real_speech)):
        return ("⚠️ This server has no real voice weights installed: **all clips are noise, not speech.** "
                "You can try the test, but votes cast now measure nothing and are kept out of the results.")
    return (f"⚠️ Kokoro {noisy[0]} runs on synthetic weights here: **its clips are noise, not speech**, so this "
            "test cannot be blind. Votes cast now are kept out of the results.")
