"""The attention trial: one per session (``KOKORO_UI_ATTENTION_CHECK``), whose clips ask for a given
answer, to find listeners who answer without listening.

Its clips are spoken by v1.0, in the v1.0 voice of one of the session's voice pairs, and say "This is
an attention check." followed by the answer to give, in the design's own terms (`INSTRUCTIONS`):
choose A or B (A/B), X is A or B (ABX), rate 2 Poor or 4 Good (MOS), rate B 2 worse or better
than A (CMOS). Which of the two is asked is drawn per session, so a listener who always gives the
same answer fails half the time; the middle of a scale is never asked, as it is what an
inattentive listener picks. Every clip of the trial (A, B and X alike) is that one clip.

On the page it is a trial like any other: its number in the sequence, a study sentence and a voice
name on screen (drawn from the study's own), the same players, buttons and notes; only listening
tells. It sits at a place drawn per session, never first and never last (a session needs at least
two other trials for that; with fewer it has none). Its answer is stored as the session's
attention check (passed or failed), never as a vote or a rating: `sessions` does that.
"""

import random
from dataclasses import replace
from typing import Optional

from kokoro_ui.abtest.design import AB, ABX, CMOS, MOS, Arrangement, Slot
from kokoro_ui.abtest.material import NEW, Sentence, VoicePair

PREFIX = "This is an attention check. "
INSTRUCTIONS: dict[str, dict[str, str]] = {  # mode -> the answer asked for -> what its clips say after PREFIX
    AB: {"A": "Please choose A.", "B": "Please choose B."},
    ABX: {"A": "Please answer that X is A.", "B": "Please answer that X is B."},
    MOS: {"2": "Please rate this clip as two, poor.", "4": "Please rate this clip as four, good."},
    CMOS: {"-2": "Please rate B as worse than A: minus two.", "2": "Please rate B as better than A: plus two."},
}


def instruction(mode: str, answer: str) -> str:
    """What the attention trial's clips say when they ask for `answer` in `mode`."""
    return PREFIX + INSTRUCTIONS[mode][answer]


def instructions(mode: str) -> list[str]:
    """Every text an attention trial of `mode` may speak (what the clip bank renders ahead)."""
    return [instruction(mode, answer) for answer in INSTRUCTIONS[mode]]


def with_attention_trial(slots: list[Slot], sentences: list[Sentence], rng: random.Random, mode: str) -> list[Slot]:
    """`slots` with an attention trial placed among them, never first or last, the others renumbered
    (and the trials they refer to with them); `slots` unchanged when fewer than two."""
    if len(slots) < 2:
        return slots
    place = rng.randint(2, len(slots))  # of len(slots) + 1 places: not the first, not the last

    def moved(number: Optional[int]) -> Optional[int]:
        return number + 1 if number is not None and number >= place else number

    shifted = [replace(slot, number=moved(slot.number), repeat_of=moved(slot.repeat_of),
                       other_release_of=moved(slot.other_release_of)) for slot in slots]
    pair: VoicePair = rng.choice(slots).pair  # a voice the session hears anyway
    check = Slot(place, rng.choice(sentences), pair, attention=rng.choice(sorted(INSTRUCTIONS[mode])))
    return sorted(shifted + [check], key=lambda slot: slot.number)


def arrangement(mode: str) -> Arrangement:
    """Every clip of the attention trial is v1.0's; nothing is counted towards the design's balance."""
    return Arrangement(NEW, NEW, NEW if mode == ABX else None)


def spoken(sentence: Sentence, attention: Optional[str], mode: str) -> str:
    """What a trial's clips say: its sentence, or for the attention trial (`attention`: the answer it
    asks for) its instruction."""
    return sentence.text if attention is None else instruction(mode, attention)
