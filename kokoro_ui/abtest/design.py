"""The study design: which trials a session gets, and which release plays which clip in each.

A session of n trials hears n - 1 different cells (a sentence said by a voice pair: sentences
without repeats while they last, voices evenly) and one of them twice: the repeat comes at least
two trials after its original (where the session is long enough) with A and B swapped, so a
listener who hears a real difference gives the same release both times (`analysis` calls that
consistent).

Order is counterbalanced across sessions, per cell: when a cell's trial is first shown, the
release that played A less often in that cell plays A now (a fair coin when they are equal), so
over any number of sessions each cell's two orders differ by at most one. In ABX mode which
release X is gets balanced the same way, on its own. The counts live in the votes database
(`VoteStore.balance`), the only state that app processes share, so the balance holds across
replicas. A repeat is not counted: it is its original swapped, one of each order by itself.
Nothing here tells the listener anything: the plan and the arrangements stay on the server.
"""

import secrets
from dataclasses import dataclass
from typing import Optional

from kokoro_ui.abtest.material import NEW, OLD, Sentence, VoicePair
from kokoro_ui.abtest.store import Cell, Counts, VoteStore

AB, ABX = "ab", "abx"
MODES = (AB, ABX)
RELEASES = (NEW, OLD)


@dataclass(frozen=True)
class Slot:
    """A planned trial, before its arrangement is drawn."""

    number: int  # 1-based
    sentence: Sentence
    pair: VoicePair
    repeat_of: Optional[int] = None  # the trial it repeats, A and B swapped


@dataclass(frozen=True)
class Arrangement:
    """The secret of a trial: which release plays A, B and (ABX) X."""

    a_release: str
    b_release: str
    x_release: Optional[str] = None

    def swapped(self) -> "Arrangement":
        return Arrangement(self.b_release, self.a_release, self.x_release)


def plan(sentences: list[Sentence], pairs: list[VoicePair], count: int, rng: secrets.SystemRandom) -> list[Slot]:
    """`count` slots: `count - 1` different cells and a repeat of one of them, placed later."""
    distinct = max(count - 1, 1)
    cells = list(zip(_spread(sentences, distinct, rng), _spread(pairs, distinct, rng)))
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
    factors = {"a_release": RELEASES} if mode == AB else {"a_release": RELEASES, "x_release": RELEASES}
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


def _spread(items: list, count: int, rng: secrets.SystemRandom) -> list:
    """`count` items: shuffled rounds through all of them, so none repeats before all were used."""
    out: list = []
    while len(out) < count:
        out.extend(rng.sample(items, len(items)))
    return out[:count]
