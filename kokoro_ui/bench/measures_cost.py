"""What a run's measures cost (`kokoro_ui.measures`), against the run's synthesis (target: at most 15 %).

One whole run of the text is spoken; the speech recogniser, the MOS predictor and the speaker
encoder are loaded (their memory: the process's RSS growth across loading them; 0 if an earlier
call loaded them), the measures are taken once to warm up, then timed, in full and per stage, and
divided by the run's forward passes (`model_s`), as `word_cost` does. A Compare's speaker similarity
embeds both releases' renderings: the rendering against itself (`speaker_s`) is what a pair of this
length costs, and half of it is this release's share.
"""

import time

import numpy as np

from kokoro_ui.bench.measure import rss_mb
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ
from kokoro_ui.engine.release import Release
from kokoro_ui.measures import measure_rendering, pitch, quality, speaker, speaker_similarity
from kokoro_ui.measures.recognition import recogniser
from kokoro_ui.outputs.word_view import spoken_words


def measures_cost(release: Release, text: str, voice: str, asr: str) -> dict[str, float]:
    """The share of synthesis time the measures take, each stage's seconds, and the models' memory (MB)."""
    chunks = list(release.stream(text, voice, fast_first=False))
    audio, words = np.concatenate([chunk.audio for chunk in chunks]).astype(np.float64), spoken_words(chunks)
    before_mb = rss_mb()
    recogniser(asr)
    quality.load()
    speaker.load()
    models_mb = rss_mb() - before_mb
    measure_rendering(audio, SAMPLE_RATE_HZ, text, words, asr)  # first-call costs out of the way
    speaker_similarity(audio, audio, SAMPLE_RATE_HZ)
    synthesis_s = sum(chunk.model_s for chunk in chunks)
    total_s = _timed(lambda: measure_rendering(audio, SAMPLE_RATE_HZ, text, words, asr))
    stages = {"asr_s": _timed(lambda: recogniser(asr).transcribe(audio, SAMPLE_RATE_HZ)),
              "mos_s": _timed(lambda: quality.predicted_mos(audio, SAMPLE_RATE_HZ)),
              "f0_s": _timed(lambda: pitch.f0_contour(audio, SAMPLE_RATE_HZ)),
              "speaker_s": _timed(lambda: speaker_similarity(audio, audio, SAMPLE_RATE_HZ))}
    total_s += stages["speaker_s"] / 2
    return {"share": round(total_s / synthesis_s, 4), "measures_s": round(total_s, 3),
            "synthesis_s": round(synthesis_s, 3), "audio_s": round(len(audio) / SAMPLE_RATE_HZ, 2),
            **{name: round(seconds, 3) for name, seconds in stages.items()}, "models_mb": round(models_mb)}


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started
