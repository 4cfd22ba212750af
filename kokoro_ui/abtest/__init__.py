"""The blind listening test: what trials are made of (`material`), the study design (`design`),
sessions and vote rules (`sessions`), the vote database (`store`, `store_sqlite`,
`store_postgres`, `schema`), where it lives (`persistence`), clips and loudness (`clips`), the
clip bank (`bank`, filled by ``python -m kokoro_ui.abtest render``), the results' numbers
(`analysis`, `stats`), the quality checks (the attention trial, `attention`; the headphone screening,
`headphones` and its stimuli, `screening`) and the backup to a Hugging Face dataset (`backup`).

`ListeningTest` ties them together for the UI: it turns a session's current trial into two (ABX:
three; MOS: one) anonymous, loudness-matched files, and nothing it hands out names a release; before
the first trial, with the headphone check on, each screening trial into one stereo file.
"""

from dataclasses import dataclass
from typing import Optional

from kokoro_ui.abtest import attention, screening
from kokoro_ui.abtest.bank import ClipBank
from kokoro_ui.abtest.clips import ClipCache, ClipKey, write_blind_wav
from kokoro_ui.abtest.design import Slot
from kokoro_ui.abtest.material import NEW, OLD, load_sentences, voice_pairs
from kokoro_ui.abtest.persistence import clip_bank_folder, open_store, votes_location
from kokoro_ui.abtest.sessions import SessionBook
from kokoro_ui.abtest.store import VoteStore
from kokoro_ui.config.settings import Settings
from kokoro_ui.outputs.loudness import match_loudness
from kokoro_ui.services.manager import ModelManager


@dataclass(frozen=True)
class TrialClips:
    """What the browser may know about a trial: no release, no voice id, no file name with meaning."""

    number: int
    total: int
    sentence: str
    voice_name: str
    a_path: str
    b_path: Optional[str]  # None in MOS: one clip a trial
    noise_note: str  # "" when both releases speak with real weights
    x_path: Optional[str] = None  # ABX only


@dataclass(frozen=True)
class ScreeningClip:
    """A headphone screening trial as the browser gets it: one stereo file, which tone is quietest unsaid."""

    number: int
    total: int
    path: str


class ListeningTest:
    """One per app: the vote store, the sessions and the clip cache, shared by the three tabs."""

    def __init__(self, manager: ModelManager, store: VoteStore, book: SessionBook, clips: ClipCache,
                 completion_code: str = ""):
        self.manager, self.store, self.book, self.clips = manager, store, book, clips
        self.completion_code = completion_code  # shown when a session ends (`crowd.completion_words`)

    @classmethod
    def open(cls, manager: ModelManager, settings: Optional[Settings] = None) -> "ListeningTest":
        """Built from `settings` (default: the manager's): the votes store, the sentences, voices, mode
        and speed, and the clip bank."""
        settings = settings or manager.settings
        store = open_store(votes_location(settings).target)
        book = SessionBook(store, load_sentences(settings.listening_sentences),
                           voice_pairs(manager, settings.listening_voices), settings.listening_trials,
                           settings.listening_mode, settings.listening_speed, settings.attention_check,
                           settings.headphone_check)
        return cls(manager, store, book, ClipCache(manager, bank=ClipBank(clip_bank_folder(settings))),
                   settings.completion_code)

    def current_screening(self, session_id: str) -> Optional[ScreeningClip]:
        """The headphone screening's current trial as a stereo file (None without one, or once answered);
        the first trial's clips are made meanwhile."""
        trial = self.book.show_screening(session_id)
        if trial is None:
            return None
        if trial.number == 1:
            self.clips.prefetch(self._clip_keys(self.book.get(session_id).trials[0]))
        path = write_blind_wav(screening.stimulus(trial.order), sample_rate_hz=screening.SAMPLE_RATE_HZ)
        return ScreeningClip(trial.number, trial.total, str(path))

    def current_clips(self, session_id: str) -> Optional[TrialClips]:
        """The session's current trial as blind files (None once every trial has its vote).

        Takes the clips from the bank or synthesises them, then starts on the next trial's in the
        background while the listener listens. The attention trial looks like any other: its note on
        noise is the one every trial shows, though its clips are all v1.0's."""
        trial = self.book.current_trial(session_id)
        if trial is None:
            return None
        releases = [trial.release_of(clip) for clip in trial.clips]
        clips = [self.clips.get(release, trial.pair.voices[release], trial.spoken, trial.speed)
                 for release in releases]
        paths: list[Optional[str]] = [str(write_blind_wav(audio))  # fresh dither each: X != A
                                      for audio in match_loudness(clips)]
        self.book.show(session_id, trial.number, all(clip.real_speech for clip in clips))
        slots = self.book.get(session_id).trials
        if trial.number < len(slots):
            self.clips.prefetch(self._clip_keys(slots[trial.number]))
        noise = ({release: self.manager.get_model(release).info.real_speech for release in (OLD, NEW)}
                 if trial.attention is not None else
                 {release: clip.real_speech for release, clip in zip(releases, clips)})
        paths += [None] * (3 - len(paths))
        return TrialClips(trial.number, len(slots), trial.sentence.text, trial.pair.name,
                          paths[0], paths[1], noise_note(noise), paths[2])

    def _clip_keys(self, slot: Slot) -> list[ClipKey]:
        """The clips `slot` will play: each release's saying of its sentence, or the attention trial's one clip."""
        releases = (NEW,) if slot.attention is not None else (OLD, NEW)
        text = attention.spoken(slot.sentence, slot.attention, self.book.mode)
        return [(release, slot.pair.voices[release], text, self.book.speed) for release in releases]


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
