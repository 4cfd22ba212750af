"""How intelligible synthesised speech is, measured offline: speech recognition, then word error rate.

`pocketsphinx` (its US-English acoustic model, dictionary and language model ship inside the
wheel) transcribes the audio the app produced; `word_error_rate` compares the transcript with
the text that was spoken. A small general-purpose recogniser errs on clean speech too, so use
the rate to compare two renderings of the same text, not as an absolute score.

Boundary: audio and text in, numbers and words out; it does not synthesise anything.
"""

import re
import threading

import numpy as np

RECOGNISER_RATE_HZ = 16_000  # what the en-us acoustic model was trained on

_decoder = None
_decoder_lock = threading.Lock()  # one decoder, used by one utterance at a time


def transcribe(audio: np.ndarray, sample_rate_hz: int) -> str:
    """The words pocketsphinx hears in mono float `audio` (range -1..1), lower case."""
    samples = _resample(np.asarray(audio, dtype=np.float64), sample_rate_hz, RECOGNISER_RATE_HZ)
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
    with _decoder_lock:
        decoder = _get_decoder()
        decoder.start_utt()
        decoder.process_raw(pcm, full_utt=True)
        decoder.end_utt()
        hypothesis = decoder.hyp()
    return hypothesis.hypstr if hypothesis is not None else ""


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / words in `reference`, on normalised words."""
    expected, heard = words(reference), words(hypothesis)
    if not expected:
        raise ValueError("The reference text has no words to score against.")
    previous = list(range(len(heard) + 1))  # edit distance, one row at a time
    for row, word in enumerate(expected, 1):
        current = [row]
        for column, other in enumerate(heard, 1):
            current.append(min(previous[column] + 1, current[column - 1] + 1,
                               previous[column - 1] + (word != other)))
        previous = current
    return previous[-1] / len(expected)


def words(text: str) -> list[str]:
    """Lower-case words, punctuation dropped (apostrophes inside words kept: "don't")."""
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower().replace("’", "'"))


def _resample(samples: np.ndarray, from_hz: int, to_hz: int) -> np.ndarray:
    """Band-limited resampling by the FFT (an ideal low-pass at the lower Nyquist frequency)."""
    if from_hz == to_hz or samples.size == 0:
        return samples
    count = round(samples.size * to_hz / from_hz)
    spectrum = np.fft.rfft(samples)[: count // 2 + 1]
    return np.fft.irfft(spectrum, count) * (count / samples.size)


def _get_decoder():
    global _decoder
    if _decoder is None:
        try:
            from pocketsphinx import Decoder  # imported here: only measurements need it
        except ImportError:
            raise RuntimeError("Measuring intelligibility needs pocketsphinx: "
                               "pip install -r requirements-test.txt") from None
        _decoder = Decoder(samprate=RECOGNISER_RATE_HZ, loglevel="FATAL")
    return _decoder
