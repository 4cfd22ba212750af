"""Can a voice speak on this server? One answer, and one example sentence per language, for every surface.

A release's build decides whether it can speak a language here by building that language's G2P
once per process (`Build.unavailable_reason`); this module turns that into an `Availability` per
voice, which the gallery (no Play button), the Compare dropdowns and `GET /v1/audio/voices` (an
`available` field and a `reason`) all show the same way. It loads no model: asking is cheap after
the first time, and listing voices never waits for weights.

Boundary: it says what can be spoken, not how; the G2P itself is the builds' business.
"""

from dataclasses import dataclass

from kokoro_ui.builds import BUILDS
from kokoro_ui.weights.voices import Voice

# What each language's voices say when a visitor presses Play: one sentence in the language itself.
SAMPLE_SENTENCES = {
    "a": "Hello! This is my voice, reading a short sentence for you.",
    "b": "Hello! This is my voice, reading a short sentence for you.",
    "e": "¡Hola! Esta es mi voz, leyendo una frase corta para ti.",
    "f": "Bonjour ! Voici ma voix, qui vous lit une courte phrase.",
    "h": "नमस्ते! यह मेरी आवाज़ है, जो आपके लिए एक छोटा सा वाक्य पढ़ती है।",
    "i": "Ciao! Questa è la mia voce, mentre leggo una breve frase.",
    "j": "こんにちは！これが私の声です。短い文を読んでいます。",
    "p": "Olá! Esta é a minha voz, lendo uma frase curta para você.",
    "z": "你好！这是我的声音，正在为你读一个简短的句子。",
}


@dataclass(frozen=True)
class Availability:
    available: bool
    reason: str = ""  # why not, for the person who asked; '' when available


def sample_sentence(lang: str) -> str:
    """The example sentence of language `lang` (English for a code without one)."""
    return SAMPLE_SENTENCES.get(lang, SAMPLE_SENTENCES["a"])


def language_availability(version: str, lang: str) -> Availability:
    """Whether release `version` can speak language `lang` here (decided once per process, then cached)."""
    reason = BUILDS[version].unavailable_reason(lang)
    return Availability(not reason, reason)


def voice_availability(version: str, voice: Voice) -> Availability:
    """Whether `voice` of release `version` can speak its own language here."""
    return language_availability(version, voice.language)
