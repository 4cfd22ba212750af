"""Measures of synthesised speech: how one rendering sounds, and how two renderings of one text differ.

Audio, its sample rate, the text and the word timings in; numbers out (frozen dataclasses in
`results`). Each measure has a module of its own: pace and pauses (`timing`), pitch (`pitch`,
Praat's algorithm through parselmouth), loudness and energy (`loudness`, EBU R128 by the
app's own BS.1770 in `outputs.loudness`), intelligibility (`recognition` for the transcript, `error_rates` for WER and CER),
predicted quality (`quality`, DNSMOS), and the two renderings side by side (`pairwise`, with
their speaker similarity from `speaker`, resemblyzer's GE2E encoder);
`rendering.measure_rendering` puts one rendering's together. Models (speech recogniser, MOS
predictor, speaker encoder) load once, lazily, at their first use, never at start-up.
Boundary: it synthesises nothing and knows nothing of releases, the UI or the HTTP API.
"""

from kokoro_ui.measures.pairwise import compare_renderings
from kokoro_ui.measures.rendering import measure_rendering
from kokoro_ui.measures.results import (Intelligibility, Pauses, PairedWord, Pitch, Quality, RenderingMeasures,
                                        RenderingsDifference, SentenceContour, SpeakerSimilarity, WordMeasures)
from kokoro_ui.measures.speaker import speaker_similarity

__all__ = ["measure_rendering", "compare_renderings", "speaker_similarity", "RenderingMeasures", "RenderingsDifference",
           "WordMeasures", "PairedWord", "Pauses", "Pitch", "SentenceContour", "Intelligibility", "Quality",
           "SpeakerSimilarity"]
