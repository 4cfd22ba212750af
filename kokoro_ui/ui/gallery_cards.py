"""The gallery's cards: every voice of both releases, from the manifests, in the order a visitor reads them.

Pure functions of the manifests and of what this server can speak (`languages`): no model is
loaded to list, filter or label voices.
"""

from dataclasses import dataclass
from typing import Optional

from kokoro_ui.abtest.material import NEW, OLD
from kokoro_ui.services.languages import Availability, voice_availability
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.weights.voices import Voice

ANY = "any"
RELEASE_WORDS = {NEW: "newer release", OLD: "older release"}


@dataclass(frozen=True)
class Card:
    release: str
    voice: Voice

    @property
    def key(self) -> str:
        """Unique on the page, and what the shortlist stores: ``v1_0-af_bella``."""
        return f"{self.release.replace('.', '_')}-{self.voice.id}"

    @property
    def availability(self) -> Availability:
        return voice_availability(self.release, self.voice)

    @property
    def title(self) -> str:
        return f"{self.voice.flag} {self.voice.name} (Kokoro {self.release})"

    @property
    def label(self) -> str:
        voice = self.voice
        label = (f"{voice.flag} **{voice.name}** <span class='kab-ready'>✓ ready</span>  \n"
                 f"{voice.accent} · {voice.gender}  \nKokoro {self.release} ({RELEASE_WORDS.get(self.release, '')})")
        if not self.availability.available:
            label += f"  \n🚫 Can't be played here: this server can't read {voice.accent} text."
        return label


def gallery_cards(manager: ModelManager, language_tag: str = ANY, gender: str = ANY) -> list[Card]:
    """Every voice of every release, filtered by language tag and gender; ordered by language, then
    name, so a voice's two releases sit side by side."""
    cards = [Card(release, voice) for release in (NEW, OLD) for voice in manager.voices(release)
             if language_tag in (ANY, voice.language_tag) and gender in (ANY, voice.gender)]
    languages = list(dict.fromkeys(voice.language_tag for voice in manager.voices(NEW)))
    return sorted(cards, key=lambda card: (_index(languages, card.voice.language_tag), card.voice.name,
                                           card.release != NEW))


def card_by_key(manager: ModelManager, key: str) -> Optional[Card]:
    """The card a shortlist entry names, or None for one no longer offered (a stale browser)."""
    return next((card for card in gallery_cards(manager) if card.key == key), None)


def language_choices(manager: ModelManager) -> list[tuple[str, str]]:
    """("🇬🇧 British English", "en-GB") and so on, by accent name, after "Any language"."""
    voices = {card.voice.language_tag: card.voice for card in gallery_cards(manager)}
    ordered = sorted(voices.values(), key=lambda voice: voice.accent)
    return [("Any language", ANY)] + [(f"{voice.flag} {voice.accent}", voice.language_tag) for voice in ordered]


def voice_choices(manager: ModelManager, release: str) -> list[tuple[str, str]]:
    """The release's voices that can speak here, labelled for people: "Bella · American English, female"."""
    return [(f"{voice.flag} {voice.name} · {voice.accent}, {voice.gender} ({voice.id})", voice.id)
            for voice in manager.voices(release) if voice_availability(release, voice).available]


def unavailable_reasons(manager: ModelManager) -> list[str]:
    """Why some voices cannot speak here, once per language (for the curious, below the filters)."""
    reasons = {card.availability.reason for card in gallery_cards(manager) if not card.availability.available}
    return sorted(reasons)


def _index(items: list[str], item: str) -> int:
    return items.index(item) if item in items else len(items)
