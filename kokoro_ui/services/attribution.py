"""Attribution: is a difference between v0.19 and v1.0 the front end's or the network's?

Three ways to run one text through both releases (`MODES`):

- ``own``: each release with its own front end, which is Compare as it always was;
- ``same_phonemes``: one phoneme string through both networks, in each network's own notation
  (`kokoro_ui.phonetics.notation` maps it for the release that did not write it, and says what it dropped);
- ``swap``: the 2×2 grid {v0.19 front end, v1.0 front end} × {v0.19 network, v1.0 network}. The two
  cells where a front end feeds its own network are exactly Compare's requests; the two crossed
  cells speak the other front end's phonemes for the whole text, mapped.

This module plans the runs (which request each cell makes) and streams them through
`kokoro_ui.services.compare`, taking turns, so every forward pass has the CPU to itself and each cell's
voice-pack row follows its network's own rule (the engine's). Checking input is
`kokoro_ui.services.validation`'s; drawing the cells is the UI's.
"""

from dataclasses import dataclass
from typing import Iterator, Mapping, Optional

from kokoro_ui.services.compare import SideEvent, compare
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.phonetics.notation import NOTATION_OF
from kokoro_ui.services.synthesis import Request
from kokoro_ui.versions import VERSIONS
from kokoro_ui.weights.mix import parse_mix
from kokoro_ui.services.validation import (InvalidInputError, SpeechRequest, validate_lang, validate_phonemes,
                                           validate_speed, validate_text, validate_voice)


ATTRIBUTION_MODES = {"own": "each release with its own front end", "same_phonemes": "the same phonemes through "
                     "both networks", "swap": "front ends swapped: the 2×2 grid"}


def validate_attribution_mode(mode: object) -> str:
    """What to compare : a mode's name."""
    if mode not in ATTRIBUTION_MODES:
        known = "; ".join(f"{name} ({what})" for name, what in ATTRIBUTION_MODES.items())
        raise InvalidInputError("mode", f"Unknown comparison mode {str(mode)[:30]!r}; choose one of: {known}.")
    return mode


@dataclass(frozen=True)
class Pairing:
    """One stream of an attribution run: whose front end made the phonemes, whose network speaks them."""

    front_end: str  # a release, or "given" for phonemes a person gave
    network: str
    dropped: tuple[str, ...] = ()  # symbols the network lacked, left out when the phonemes were mapped

    @property
    def label(self) -> str:
        source = "given phonemes" if self.front_end == "given" else f"{self.front_end} front end"
        return f"{source} → {self.network} network"


@dataclass(frozen=True)
class Plan:
    """What an attribution run will do: one request per cell, in the same order."""

    mode: str
    pairings: tuple[Pairing, ...]
    requests: tuple[Request, ...]


def plan_own(manager: ModelManager, text: str, voices: Mapping[str, str], speed: float,
             lang: Optional[str]) -> Plan:
    """Compare's two requests: each release with its own front end."""
    text, speed, lang = validate_text(text, manager.settings.max_chars), validate_speed(speed), validate_lang(lang)
    requests = tuple(SpeechRequest(text, voices[version], version, speed, lang) for version in VERSIONS)
    return Plan("own", tuple(Pairing(version, version) for version in VERSIONS), requests)


def plan_same_phonemes(manager: ModelManager, phonemes: str, written_in: str, voices: Mapping[str, str],
                       speed: float, lang: Optional[str]) -> Plan:
    """One phoneme string through both networks; `written_in` is a notation name ("auto" tells)."""
    requests = tuple(validate_phonemes(manager, phonemes, voices[version], version, speed, written_in, lang)
                     for version in VERSIONS)
    return Plan("same_phonemes", tuple(Pairing("given", request.version, request.dropped) for request in requests),
                requests)


def plan_swap(manager: ModelManager, text: str, voices: Mapping[str, str], speed: float,
              lang: Optional[str]) -> Plan:
    """The 2×2 grid; the own-front-end cells are `plan_own`'s requests, unchanged."""
    own = plan_own(manager, text, voices, speed, lang)
    pairings, requests = [], []
    for front_end, own_request in zip(VERSIONS, own.requests):
        phonemes = front_end_phonemes(manager, own_request)
        for network in VERSIONS:
            if network == front_end:
                pairings.append(Pairing(front_end, network))
                requests.append(own_request)
                continue
            request = validate_phonemes(manager, phonemes, voices[network], network, own_request.speed,
                                        NOTATION_OF[front_end], own_request.lang)
            pairings.append(Pairing(front_end, network, request.dropped))
            requests.append(request)
    return Plan("swap", tuple(pairings), tuple(requests))


def front_end_phonemes(manager: ModelManager, request: SpeechRequest) -> str:
    """What `request`'s release's front end makes of its text: its chunks' phonemes, joined by spaces."""
    voice = validate_voice(manager, request.voice, request.version)
    release = manager.get_model(request.version)
    lang = request.lang or parse_mix(voice).voices(release.voices)[0].language
    return " ".join(segment.phonemes for segment in release.frontend.segments(request.text, lang))


def run(manager: ModelManager, plan: Plan) -> Iterator[SideEvent]:
    """Every cell's chunks as they are made, taking turns; each event's `label` is its cell's."""
    return compare(manager, list(plan.requests), "fair", labels=[cell.label for cell in plan.pairings])
