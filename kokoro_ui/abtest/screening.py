"""Headphone screening stimuli: the antiphase-tone test of Woods, Siegel, Traer and McDermott (2017),
"Headphone screening to facilitate web-based auditory experiments", Attention, Perception, &
Psychophysics 79(7), 2064-2072, doi:10.3758/s13414-017-1361-2.

A trial plays three 200 Hz pure tones one after the other and asks which was the quietest. One
tone is 6 dB below the other two: that is the right answer. One of the two loud tones is in
antiphase between the ears (the right channel is the left one inverted). Over headphones each ear
gets its channel and the quiet tone is plainly the quietest. Over loudspeakers the two channels
of the antiphase tone meet in the air and cancel (Woods et al. measured more than 20 dB of
attenuation at 200 Hz), so it sounds quietest and a loudspeaker listener picks it. The six orders
of the three tones are the paper's six trials (`ORDERS`).

Pass rule. Woods et al. give six trials and pass a listener with at least 5 of 6 right (guessing
passes 13 / 729 = 1.8 % of the time). This study gives three trials, to keep the screening short,
so it passes only **all 3 right** (guessing passes 1 / 27 = 3.7 %): three different orders of the
six, drawn per session. Fewer trials make a weaker screen than the paper's; a loudspeaker
listener, who tends to pick the antiphase tone, does worse than guessing.

Tone and gap lengths (1 s tones with 100 ms raised-cosine ramps, 0.5 s of silence between them)
follow the published re-creations of the test; frequency, level difference and phase are the
paper's. Only numpy: the stimuli are made when needed, stereo at 44.1 kHz. Writing them to a file
is `clips.write_blind_wav`'s job, what a session asks and how it scores is `headphones`'.
"""

import itertools
from typing import Sequence

import numpy as np

SAMPLE_RATE_HZ = 44_100
TONE_HZ = 200.0
TONE_S, RAMP_S, GAP_S = 1.0, 0.1, 0.5
LOUD_PEAK = 0.25  # -12 dBFS in each channel: loud enough at a comfortable volume, far from clipping
QUIET_DB = -6.0  # the quiet tone, against the two loud ones
TRIALS = 3
QUIET, LOUD, ANTIPHASE = "quiet", "loud", "antiphase"
ORDERS: tuple[tuple[str, str, str], ...] = tuple(itertools.permutations((QUIET, LOUD, ANTIPHASE)))


def tone(kind: str) -> np.ndarray:
    """One tone as (frames, 2) float32: `QUIET` 6 dB down, `LOUD`, or `ANTIPHASE` (loud, right = -left)."""
    frames = int(round(TONE_S * SAMPLE_RATE_HZ))
    ramp = int(round(RAMP_S * SAMPLE_RATE_HZ))
    envelope = np.ones(frames)
    rise = 0.5 - 0.5 * np.cos(np.pi * np.arange(ramp) / ramp)  # raised cosine, 0 -> 1
    envelope[:ramp], envelope[frames - ramp:] = rise, rise[::-1]
    peak = LOUD_PEAK * (10 ** (QUIET_DB / 20) if kind == QUIET else 1.0)
    left = peak * envelope * np.sin(2 * np.pi * TONE_HZ * np.arange(frames) / SAMPLE_RATE_HZ)
    right = -left if kind == ANTIPHASE else left
    return np.stack([left, right], axis=1).astype(np.float32)


def stimulus(order: Sequence[str]) -> np.ndarray:
    """A trial's sound: the three tones of `order` with silence between them, as (frames, 2) float32."""
    gap = np.zeros((int(round(GAP_S * SAMPLE_RATE_HZ)), 2), dtype=np.float32)
    parts = [tone(order[0])]
    for kind in order[1:]:
        parts += [gap, tone(kind)]
    return np.concatenate(parts)


def quietest(order: Sequence[str]) -> int:
    """The right answer to a trial: where its quiet tone is, 1 to 3."""
    return list(order).index(QUIET) + 1


def passed(right: Sequence[int], answered: Sequence[int]) -> bool:
    """The pass rule: every one of the `TRIALS` trials answered right (see the module's docstring)."""
    return len(answered) == len(right) == TRIALS and list(answered) == list(right)
