"""What a short first piece costs in prosody at the cut, on v1.0 (real speech with packaged weights).

Fast first audio (`engine.pacing`) may end the first piece inside a clause. For each test
sentence, its first piece and the whole sentence go through v1.0's predictor (`PredictorHalf`,
which equals `KModel.forward_with_tokens` up to the decoder): the durations and the pitch (F0,
two values per 25 ms frame) the model will speak. At the first piece's last word the two are
compared: that word's duration, and its pitch over its last half (voiced values only), in
semitones. Pitch and durations are the model's own predictions, so no pitch tracker's errors
enter; the decoder renders them as they are.

`python -m kokoro_ui.bench.prosody [--voice af_heart]`: a table and the medians (README).
"""

import argparse
import statistics
import sys
from dataclasses import dataclass
from typing import Optional

import numpy as np
import torch

from kokoro_ui.backends.onnx_export import PredictorHalf
from kokoro_ui.bench.texts import SENTENCE, SENTENCE_50
from kokoro_ui.engine import pacing
from kokoro_ui.engine.chunk import MAX_TOKENS
from kokoro_ui.engine.release import Release
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.config.settings import Settings
from kokoro_ui.ui.examples import LONG_PASSAGE

FRAME_MS = 25
VOICED_HZ = 50.0  # predicted F0 below this is an unvoiced stretch


@dataclass(frozen=True)
class CutProsody:
    first_piece: str
    word: str  # the first piece's last word, as written
    at_clause: bool  # the piece ends at a comma, colon, …; else between two words
    whole_ms: int  # the word's duration, spoken in the whole sentence
    piece_ms: int  # and at the end of the first piece
    whole_end_hz: float  # the word's mean F0 over the last half of its voiced values
    piece_end_hz: float
    whole_pause_ms: int  # the silence after the word: the space token in the sentence
    piece_pause_ms: int  # the end pad after the piece

    @property
    def end_semitones(self) -> float:
        return 12 * float(np.log2(self.piece_end_hz / self.whole_end_hz))


def test_sentences() -> list[str]:
    """The benchmark's sentences and each paragraph's first sentence of the long passage."""
    openings = [paragraph.split(". ")[0] + "." for paragraph in LONG_PASSAGE.split("\n\n")]
    return [SENTENCE_50, SENTENCE, *openings]


def measure_cut(release: Release, sentence: str, voice: str) -> Optional[CutProsody]:
    """The cut's prosody for `sentence`, or None where its first piece is the whole sentence."""
    first = next(pacing.pieces(sentence))
    if first == sentence.strip():
        return None
    pack = release.voice_pack(release.voices.get(voice))
    piece_words, piece_track = _words_and_track(release, first, pack)
    whole_words, whole_track = _words_and_track(release, sentence, pack)
    index = len(piece_words) - 1
    if index >= len(whole_words) or piece_words[index][0] != whole_words[index][0]:
        return None  # the G2P spoke the word differently in context: nothing to line up
    (whole_ms, whole_hz, whole_pause), (piece_ms, piece_hz, piece_pause) = (
        _word_prosody(track, words[index][1]) for track, words in ((whole_track, whole_words), (piece_track, piece_words)))
    return CutProsody(first, first.split()[-1], first[-1] in ",;:—", whole_ms, piece_ms, whole_hz, piece_hz,
                      whole_pause, piece_pause)


def _words_and_track(release: Release, text: str, pack: torch.Tensor):
    """[(phoneme word, token span)], and (durations in frames, F0) of one pass over `text`."""
    (segment, *_rest) = list(release.frontend.segments(text, "a"))
    token_ids = release.frontend.tokenize(segment.phonemes)[:MAX_TOKENS]
    style = pack[release.frontend.style_row(segment.phonemes, token_ids)].reshape(1, -1)
    with torch.inference_mode():
        durations, _, _, f0, _ = PredictorHalf(release.kmodel)(torch.LongTensor([[0, *token_ids, 0]]), style, torch.ones(1))
    kept = [symbol for symbol in segment.phonemes if release.frontend.tokenize(symbol)]
    words, start = [], 0
    for word in "".join(kept).split(" "):
        letters = "".join(symbol for symbol in word if symbol.isalpha() or symbol in "ˈˌː")
        if letters:
            words.append((letters, (start + 1, start + 1 + len(word))))  # +1: the leading pad
        start += len(word) + 1
    return words, (durations.numpy(), f0.reshape(-1).numpy())


def _word_prosody(track, span: tuple[int, int]) -> tuple[int, float, int]:
    """The word's duration (ms), its ending pitch (Hz) and the silence token after it (ms)."""
    durations, f0 = track
    first_frame, last_frame = int(durations[:span[0]].sum()), int(durations[:span[1]].sum())
    values = f0[2 * first_frame:2 * last_frame]
    voiced = values[values > VOICED_HZ]
    ending_hz = float(np.mean(voiced[len(voiced) // 2:])) if len(voiced) else float("nan")
    return (last_frame - first_frame) * FRAME_MS, ending_hz, int(durations[span[1]]) * FRAME_MS


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m kokoro_ui.bench.prosody", description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="af_heart")
    args = parser.parse_args()
    manager = ModelManager(Settings.from_env(backend="torch"))
    release = manager.get_model("v1.0")
    print(f"v1.0 weights: {release.info.weights}; voice {args.voice}")
    print("| first piece | cut | last word's duration, whole → piece | its ending pitch | silence after it |")
    print("|---|---|---|---|---|")
    cuts = [cut for cut in (measure_cut(release, sentence, args.voice) for sentence in test_sentences()) if cut]
    for cut in cuts:
        print(f"| {cut.first_piece} | {'clause' if cut.at_clause else 'words'} | {cut.whole_ms} → {cut.piece_ms} ms "
              f"| {cut.whole_end_hz:.0f} → {cut.piece_end_hz:.0f} Hz ({cut.end_semitones:+.1f} st) "
              f"| {cut.whole_pause_ms} → {cut.piece_pause_ms} ms |")
    within = [cut for cut in cuts if not cut.at_clause]
    if within:
        print(f"cuts between words: {len(within)}; last word's duration piece ÷ whole, median "
              f"{statistics.median(cut.piece_ms / cut.whole_ms for cut in within):.2f}; ending pitch, median "
              f"{statistics.median(cut.end_semitones for cut in within):+.1f} semitones")
    return 0


if __name__ == "__main__":
    sys.exit(main())
