"""One request spoken whole, then measured: what `POST /v1/evaluate`, Gradio's `/evaluate` and the
test-set runner all call.

Boundary: synthesis through `services` and measures through `kokoro_ui.measures`; the surfaces
validate the request and shape the answer.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.engine.release import ModelInfo
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.measures import RenderingMeasures, measure_rendering
from kokoro_ui.services.synthesis import synthesize
from kokoro_ui.services.validation import SpeechRequest
from kokoro_ui.outputs.word_view import SpokenWord, spoken_words


@dataclass(frozen=True, eq=False)
class Evaluation:
    request: SpeechRequest
    info: ModelInfo  # the release that spoke: its weights (real speech or noise), backend
    measures: RenderingMeasures
    audio: np.ndarray = field(repr=False)  # float32, the chunks one after the other
    words: tuple[SpokenWord, ...]  # the written words on the audio's clock
    synthesis_s: float  # wall time of the forward passes
    measures_s: float  # wall time of the measures

    @property
    def noise(self) -> bool:
        return not self.info.real_speech


def evaluate(manager: ModelManager, request: SpeechRequest) -> Evaluation:
    """Speak `request` (a checked text request) whole, then measure what was said. Blocks."""
    started = time.perf_counter()
    with synthesize(manager, request, started) as synthesis:
        chunks = list(synthesis)
        info = synthesis.info
    measured_from = time.perf_counter()
    audio, words = np.concatenate([chunk.audio for chunk in chunks]), tuple(spoken_words(chunks))
    measures = measure_rendering(audio, SAMPLE_RATE_HZ, request.text, words, asr=manager.settings.asr,
                                 noise=not info.real_speech)
    return Evaluation(request, info, measures, audio, words, measured_from - started,
                      time.perf_counter() - measured_from)
