"""Two renderings of one text side by side: per written word, and where they differ most.

Words are paired as the word view pairs them (`word_view.pair_words`: by where they stand in the
written text, never by how they sound). For each pair: the duration ratio (right ÷ left) and the
F0 difference (right − left, semitones). The summary names the words whose duration and pitch
differ most, in plain sentences. The speaker similarity of the two (`speaker`) comes with them: it
is taken from both audios at once, so the caller measures it and hands it over.
Boundary: compares measures already taken; measures nothing itself.
"""

import math
from typing import Optional

from kokoro_ui.measures.results import PairedWord, RenderingMeasures, RenderingsDifference, SpeakerSimilarity
from kokoro_ui.outputs.word_view import pair_words

MOST = 3  # words named per kind of difference
NOTABLE_RATIO = 1.25  # duration ratios nearer 1 than this (either way) are not named
NOTABLE_SEMITONES = 2.0  # pitch differences smaller than this are not named


def compare_renderings(left: RenderingMeasures, right: RenderingMeasures, speaker: SpeakerSimilarity,
                       left_name: str = "left", right_name: str = "right") -> RenderingsDifference:
    # pair_words reads only word, text_start and text_end, which WordMeasures has as SpokenWord does
    rows = pair_words(left.words, right.words)  # type: ignore[arg-type]
    words = tuple(PairedWord(row.word, row.left, row.right) for row in rows)
    return RenderingsDifference(left, right, words, _most_different(words, left_name, right_name), speaker)


def _most_different(words: tuple[PairedWord, ...], left_name: str, right_name: str) -> tuple[str, ...]:
    longer = sorted((word for word in words if _notable_ratio(word.duration_ratio)),
                    key=lambda word: -abs(math.log(word.duration_ratio)))[:MOST]
    pitched = sorted((word for word in words if _notable_pitch(word.f0_difference_semitones)),
                     key=lambda word: -abs(word.f0_difference_semitones))[:MOST]
    lines = [f"“{word.word}”: {right_name} takes {word.duration_ratio:.2f}× {left_name}'s time "
             f"({word.left.duration_s * 1000:.0f} → {word.right.duration_s * 1000:.0f} ms)" for word in longer]
    lines += [f"“{word.word}”: {right_name} is {abs(word.f0_difference_semitones):.1f} semitones "
              f"{'higher' if word.f0_difference_semitones > 0 else 'lower'} than {left_name} "
              f"({word.left.f0_hz:.0f} → {word.right.f0_hz:.0f} Hz)" for word in pitched]
    return tuple(lines)


def _notable_ratio(ratio: Optional[float]) -> bool:
    return ratio is not None and ratio > 0 and abs(math.log(ratio)) >= math.log(NOTABLE_RATIO)


def _notable_pitch(semitones: Optional[float]) -> bool:
    return semitones is not None and abs(semitones) >= NOTABLE_SEMITONES
