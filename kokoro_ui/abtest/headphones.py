"""A session's headphone screening (``KOKORO_UI_HEADPHONE_CHECK``): three antiphase-tone trials
before the first trial, what the listener answered, and the verdict.

The stimuli and the pass rule are `screening`'s. Here: which three orders a session gets (three
different ones of the paper's six, drawn per session), that each answer waits until the sound was
played to the end (as a vote does), and that answers come in order, one per trial. The session
book (`sessions`) calls this under the session's lock and stores the verdict; the listener is
not told it (a failed session goes on and is kept, marked).
"""

import random
import time
from dataclasses import dataclass, field
from typing import Optional

from kokoro_ui.abtest.heard import Listening
from kokoro_ui.abtest.screening import ORDERS, TRIALS, passed, quietest
from kokoro_ui.errors import KokoroUIError

ANSWERS = ("1", "2", "3")


class ScreeningRefusedError(KokoroUIError):
    """An answer the screening does not take: wrong trial, sound not heard, not 1, 2 or 3."""


@dataclass(frozen=True)
class ScreeningTrial:
    """What the page is shown of a screening trial: its number, and the order of its tones (the secret)."""

    number: int  # 1-based
    total: int
    order: tuple[str, str, str]


@dataclass
class HeadphoneScreening:
    orders: tuple[tuple[str, str, str], ...]
    answers: list[int] = field(default_factory=list)
    heard: Listening = field(default_factory=Listening)

    @classmethod
    def draw(cls, rng: random.Random) -> "HeadphoneScreening":
        return cls(tuple(rng.sample(ORDERS, TRIALS)))

    @property
    def done(self) -> bool:
        return len(self.answers) == len(self.orders)

    @property
    def right(self) -> list[int]:
        return [quietest(order) for order in self.orders]

    @property
    def passed(self) -> bool:
        return passed(self.right, self.answers)

    def show(self) -> Optional[ScreeningTrial]:
        """The trial to show now (its listening starts afresh), or None once every trial has its answer."""
        if self.done:
            return None
        self.heard = Listening()
        return ScreeningTrial(len(self.answers) + 1, len(self.orders), self.orders[len(self.answers)])

    def report(self, number: int, event: str) -> bool:
        """A play, pause or end of the current trial's sound; returns whether it may be answered now."""
        if self.done or number != len(self.answers) + 1:
            return False
        self.heard.report(event, time.monotonic())
        return self.heard.finished

    def answer(self, number: int, answer: str) -> None:
        """Take the answer (which tone was quietest) to trial `number`, or raise and change nothing."""
        if answer not in ANSWERS:
            raise ScreeningRefusedError(f"Answer 1, 2 or 3, not {str(answer)[:20]!r}.")
        if self.done or number != len(self.answers) + 1:
            raise ScreeningRefusedError("That answer was not for the headphone check's current sound.")
        if not self.heard.finished:
            raise ScreeningRefusedError("Play the sound to the end before you answer.")
        self.answers.append(int(answer))
