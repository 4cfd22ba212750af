"""What trials are made of: the study's sentences and its voice pairs (read from files, no model)."""

import hashlib
from dataclasses import dataclass
from pathlib import Path

from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.versions import NEW, OLD


@dataclass(frozen=True)
class Sentence:
    id: str
    text: str


@dataclass(frozen=True)
class VoicePair:
    """The same-named voice in both releases (a v0.19 voice whose manifest sets `pairs_with`)."""

    name: str  # what a listener is told, e.g. "Bella"
    voices: dict[str, str]  # release -> voice id

    @property
    def id(self) -> str:
        """What the votes and the design counts call the pair: its v0.19 voice id, e.g. af_bella."""
        return self.voices[OLD]


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


def voice_pairs(manager: ModelManager, only: str = "") -> list[VoicePair]:
    """Every v0.19 voice whose manifest names its v1.0 counterpart, or those of them `only` names
    (comma-separated v0.19 voice ids, the setting ``KOKORO_UI_LISTENING_VOICES``)."""
    new_voices = manager.voices(NEW)
    pairs = [VoicePair(voice.name, {OLD: voice.id, NEW: new_voices.get(voice.pairs_with).id})
             for voice in manager.voices(OLD) if voice.pairs_with]
    wanted = [name.strip() for name in only.split(",") if name.strip()]
    if not wanted:
        return pairs
    unknown = sorted(set(wanted) - {pair.id for pair in pairs})
    if unknown:
        raise KokoroUIError(f"KOKORO_UI_LISTENING_VOICES names {', '.join(unknown)}, which are not voice pairs; "
                            f"choose from: {', '.join(pair.id for pair in pairs)}.")
    return [pair for pair in pairs if pair.id in wanted]
