"""Voice mixes in Kokoro-FastAPI's syntax, ``af_bella(2)+af_sky(1)``: parsed, checked, and averaged.

A mix names voices of one release joined by ``+``, each with an optional weight in parentheses
(default 1). Weights are normalised to sum to 1, so ``af_bella(2)+af_sky(1)`` is two thirds Bella
and ``af_bella+af_sky`` is half and half; the mixed voice pack is the weighted mean of the packs,
computed in float64 and rounded to float32 once. The rules, each refused with a message that says
what to write instead:

- at most `MAX_TERMS` (8) voices: a mean of more is a blur, and 20 names is surely a mistake;
- a weight is a number above 0 and at most `MAX_WEIGHT` (``af_sky(0)`` or ``af_sky(-1)`` mean nothing here);
- ``+`` joins two voice names: nothing empty around it (``a++b``, a trailing ``+``), no nesting (``((``);
- each voice appears once: ``a+a(2)`` is refused, not merged, since it could mean 3 parts or 2;
- every voice belongs to the release the mix is for, and all speak one language (a pack's styles
  were learnt with its own language's phonemes).

Boundary: text -> `VoiceMix` -> the voices' manifest entries, and packs -> their weighted mean.
Reading packs is `Release`'s (through the manifest, so names never become paths); turning these
errors into a surface's message is `kokoro_ui.services.validation`'s.
"""

import math
import re
from dataclasses import dataclass

import torch

from kokoro_ui.errors import UnknownVoiceError
from kokoro_ui.weights.voices import Voice, VoiceManifest, quoted

MAX_TERMS = 8
MAX_WEIGHT = 1000.0  # weights are relative: percentages fit, and sums stay far from overflow
_TERM = re.compile(r"\s*([A-Za-z0-9_]+)\s*(?:\(([^()]*)\))?\s*")
EXAMPLE = "af_bella(2)+af_sky(1)"


class VoiceMixError(UnknownVoiceError):
    """A voice string that is not a valid mix (its syntax, weights, size or voices)."""


@dataclass(frozen=True)
class MixTerm:
    voice_id: str
    weight: float  # as written (default 1); `VoiceMix.weights` are the normalised ones


@dataclass(frozen=True)
class VoiceMix:
    terms: tuple[MixTerm, ...]

    @property
    def name(self) -> str:
        """The mix written out in full, ``af_bella(2)+af_sky(1)``, or a lone voice's own name."""
        if len(self.terms) == 1:
            return self.terms[0].voice_id
        return "+".join(f"{term.voice_id}({term.weight:.12g})" for term in self.terms)

    @property
    def weights(self) -> tuple[float, ...]:
        total = sum(term.weight for term in self.terms)
        return tuple(term.weight / total for term in self.terms)

    def voices(self, manifest: VoiceManifest) -> tuple[Voice, ...]:
        """The mix's voices in `manifest` (`UnknownVoiceError` for a name it lacks), all of one language."""
        voices = tuple(manifest.get(term.voice_id) for term in self.terms)
        accents = {voice.language: voice for voice in voices}
        if len(accents) > 1:
            first, other = list(accents.values())[:2]
            raise VoiceMixError(f"A mix takes voices of one language: {first.id} speaks {first.accent}, "
                                f"{other.id} {other.accent}.")
        return voices


def is_mix(voice: str) -> bool:
    """Whether a voice string is written as a mix (it has a ``+`` or a weight), rather than as one name."""
    return "+" in voice or "(" in voice or ")" in voice


def count_terms(voice: str) -> int:
    return voice.count("+") + 1


def parse_mix(text: str) -> VoiceMix:
    """The mix `text` writes, or `VoiceMixError` saying what is wrong with it. A plain name is a mix of one
    voice, left for the manifest to judge (so an unknown name gets the manifest's message)."""
    if not is_mix(text):
        return VoiceMix((MixTerm(text, 1.0),))
    if count_terms(text) > MAX_TERMS:
        raise VoiceMixError(f"A mix takes at most {MAX_TERMS} voices; this one names {count_terms(text)}.")
    terms = tuple(_term(raw) for raw in text.split("+"))
    seen = set()
    for term in terms:
        if term.voice_id in seen:
            raise VoiceMixError(f"{term.voice_id} appears twice in the mix: name each voice once, with one weight, "
                                f"e.g. {term.voice_id}(2).")
        seen.add(term.voice_id)
    return VoiceMix(terms)


def mix_packs(packs: list[torch.Tensor], weights: tuple[float, ...]) -> torch.Tensor:
    """The weighted mean of same-shaped packs: summed in float64, rounded to float32 once."""
    mixed = sum(pack.double() * weight for pack, weight in zip(packs, weights))
    return mixed.float()


def _term(raw: str) -> MixTerm:
    if not raw.strip():
        raise VoiceMixError(f"The mix has an empty part: '+' goes between two voice names, as in {EXAMPLE}.")
    match = _TERM.fullmatch(raw)
    if match is None:
        raise VoiceMixError(f"{quoted(raw.strip())} is not a voice name with an optional weight in parentheses, "
                            f"as in {EXAMPLE}.")
    name, weight_text = match.groups()
    return MixTerm(name, 1.0 if weight_text is None else _weight(name, weight_text))


def _weight(name: str, text: str) -> float:
    try:
        weight = float(text)
    except ValueError:
        raise VoiceMixError(f"The weight of {name}, {quoted(text.strip())}, is not a number; write e.g. {name}(2).") from None
    if not (math.isfinite(weight) and 0 < weight <= MAX_WEIGHT):
        raise VoiceMixError(f"The weight of {name} is {text.strip()}: a weight must be a number above 0 and at most "
                            f"{MAX_WEIGHT:g}, e.g. {name}(1).")
    return weight
