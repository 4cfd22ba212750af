"""What the browser reported about one clip a listener must hear before answering: how often it
was played, for how long, and whether it was played to the end. A trial's clips and a headphone
screening's sound both open their answer only once heard to the end; the rule is this one."""

from dataclasses import dataclass
from typing import Optional


@dataclass
class Listening:
    """What the browser reported about one clip of the current trial."""

    plays: int = 0
    listened_s: float = 0.0
    playing_since: Optional[float] = None  # time.monotonic()
    finished: bool = False  # played to the end at least once

    def report(self, event: str, now: float) -> None:
        if event == "play":
            self.plays += 1
            self.playing_since = now if self.playing_since is None else self.playing_since
        elif event in ("pause", "end"):
            if self.playing_since is not None:
                self.listened_s += now - self.playing_since
                self.playing_since = None
            # browsers send "pause" just before "end"; an "end" with no "play" before it counts for nothing
            self.finished = self.finished or (event == "end" and self.plays > 0)
