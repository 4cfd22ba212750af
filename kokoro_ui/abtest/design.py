"""The study design: which trials a session gets, and which release plays which clip in each.

Four designs (``KOKORO_UI_LISTENING_MODE``): A/B preference, ABX discrimination, CMOS (B compared
with A on -3 … +3) and MOS (one clip rated on P.800's five categories). An A/B, ABX or CMOS session
of n trials hears n - 1 different cells (a sentence said by a voice pair: sentences
without repeats while they last, voices evenly, and among those the cells with the fewest ratings
stored so far, so ratings spread over the cells as sessions come) and one of them twice: the repeat comes at least
two trials after its original (where the session is long enough) with A and B swapped, so a
listener who hears a real difference gives the same release both times (`analysis` calls that
consistent).

Order is counterbalanced across sessions, per cell: when a cell's trial is first shown, the
release that played A less often in that cell plays A now (a fair coin when they are equal), so
over any number of sessions each cell's two orders differ by at most one. In ABX mode which
release X is gets balanced the same way, on its own.

A MOS trial plays one clip, whose release is hidden. A MOS session hears each of its cells from
both releases: n trials (rounded up to an even number, at least 4) are n / 2 cells, first each
once, then each again from the other release, in a shuffled order in which no cell's second
hearing follows its first. Which release a cell is heard from first is balanced across sessions
like A/B's order (the cell's "a_release" count). The counts live in the votes database
(`VoteStore.balance`), the only state that app processes share, so the balance holds across
replicas. A repeat is not counted: it is its original swapped, one of each order by itself.
Nothing here tells the listener anything: the plan and the arrangements stay on the server.
"""

import secrets
from collections import Counter
from dataclasses import dataclass
from typing import Mapping, Optional

from kokoro_ui.abtest.material import NEW, OLD, Sentence, VoicePair
from kokoro_ui.abtest.records import Cell, Counts
from kokoro_ui.abtest.store import VoteStore

AB, ABX, MOS, CMOS = "ab", "abx", "mos", "cmos"
MODES = (AB, ABX, MOS, CMOS)
RELEASES = (NEW, OLD)
Ratings = Mapping[tuple[str, str], int]  # (sentence id, pair id) -> ratings stored in that cell
MOS_MIN_TRIALS = 4  # two cells: fewer, and a cell's second hearing would follow its first


@dataclass(frozen=True)
class Slot:
    """A planned trial, before its arrangement is drawn."""

    number: int  # 1-based
    sentence: Sentence
    pair: VoicePair
    repeat_of: Optional[int] = None  # the trial it repeats, A and B swapped
    other_release_of: Optional[int] = None  # MOS: the trial whose cell this one hears from the other release
    attention: Optional[str] = None  # the attention trial (`attention.py`): the answer its clips ask for


@dataclass(frozen=True)
class Arrangement:
    """The secret of a trial: which release plays A, B and (ABX) X."""

    a_release: str
    b_release: str
    x_release: Optional[str] = None

    def swapped(self) -> "Arrangement":
        return Arrangement(self.b_release, self.a_release, self.x_release)


def trial_count(mode: str, trials: int) -> int:
    """How many trials a session of `mode` has when the setting asks for `trials`."""
    return max(MOS_MIN_TRIALS, trials + trials % 2) if mode == MOS else trials


def plan_for(mode: str, sentences: list[Sentence], pairs: list[VoicePair], trials: int,
             rng: secrets.SystemRandom, ratings: Optional[Ratings] = None) -> list[Slot]:
    """A session's slots in `mode`, favouring the cells with fewer `ratings` so far."""
    count = trial_count(mode, trials)
    if mode == MOS:
        return plan_mos(sentences, pairs, count, rng, ratings)
    return plan(sentences, pairs, count, rng, ratings)


def plan_mos(sentences: list[Sentence], pairs: list[VoicePair], count: int, rng: secrets.SystemRandom,
             ratings: Optional[Ratings] = None) -> list[Slot]:
    """`count` (even, >= 4) slots: `count / 2` cells, then each again from the other release, never back to back."""
    cells = choose_cells(sentences, pairs, count // 2, rng, ratings or {})
    again = rng.sample(range(len(cells)), len(cells))
    if again[0] == len(cells) - 1:  # the last first hearing would be followed by its own second one
        again[0], again[1] = again[1], again[0]
    slots = [Slot(number, *cells[number - 1]) for number in range(1, len(cells) + 1)]
    return slots + [Slot(len(cells) + place, *cells[index], other_release_of=index + 1)
                    for place, index in enumerate(again, start=1)]


def plan(sentences: list[Sentence], pairs: list[VoicePair], count: int, rng: secrets.SystemRandom,
         ratings: Optional[Ratings] = None) -> list[Slot]:
    """`count` slots: `count - 1` different cells and a repeat of one of them, placed later."""
    distinct = max(count - 1, 1)
    cells = choose_cells(sentences, pairs, distinct, rng, ratings or {})
    if count < 2:
        return [Slot(1, *cells[0])]
    original = rng.randint(1, max(count - 2, 1))  # the repeat's own place, below, is then at least 2 later
    repeat = rng.randint(min(original + 2, count), count)
    slots, cells_left = [], iter(cells)
    for number in range(1, count + 1):
        if number == repeat:
            slots.append(Slot(number, *cells[original - 1], repeat_of=original))
        else:
            slots.append(Slot(number, *next(cells_left)))
    return slots


def arrange(store: VoteStore, slot: Slot, mode: str, rng: secrets.SystemRandom) -> Arrangement:
    """Draw a first-shown trial's arrangement from the cell's shared counts, and count it."""
    factors = {"a_release": RELEASES, "x_release": RELEASES} if mode == ABX else {"a_release": RELEASES}
    chosen = store.balance(Cell(mode, slot.sentence.id, slot.pair.id), factors, lambda counts: least_shown(counts, rng))
    a_release = chosen["a_release"]
    return Arrangement(a_release, OLD if a_release == NEW else NEW, chosen.get("x_release"))


def least_shown(counts: Counts, rng: secrets.SystemRandom) -> dict[str, str]:
    """For each factor, the level shown least often so far; a fair coin among the tied."""
    chosen = {}
    for factor, shown in counts.items():
        fewest = min(shown.values())
        chosen[factor] = rng.choice(sorted(level for level, times in shown.items() if times == fewest))
    return chosen


def choose_cells(sentences: list[Sentence], pairs: list[VoicePair], count: int, rng: secrets.SystemRandom,
                 ratings: Ratings) -> list[tuple[Sentence, VoicePair]]:
    """`count` cells, one at a time: a sentence this session has used least (no repeat while unused ones
    are left), a voice pair it has used least, and among those the cell with the fewest `ratings`
    (keyed by sentence id and pair id), ties broken at random; then shuffled."""
    used_sentences: Counter = Counter()
    used_pairs: Counter = Counter()
    chosen = []
    for _ in range(count):
        sentence, pair = min(((sentence, pair) for sentence in sentences for pair in pairs), key=lambda cell: (
            used_sentences[cell[0].id], used_pairs[cell[1].id], ratings.get((cell[0].id, cell[1].id), 0), rng.random()))
        used_sentences[sentence.id] += 1
        used_pairs[pair.id] += 1
        chosen.append((sentence, pair))
    return rng.sample(chosen, len(chosen))
