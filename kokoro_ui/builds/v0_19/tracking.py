"""Text that remembers where each of its characters came from, through regex rewrites.

The v0.19 normaliser rewrites text ("$3.50" -> "3 dollars and 50 cents") before espeak-ng sees
it; to time the words *as written*, each character of its output must say which characters of
the input it stands for. `TrackedText.sub` is ``re.sub`` with that bookkeeping: characters a
rule leaves alone keep their sources, and a replacement is lined up with what it replaced
(`difflib`), character by character. The text itself comes out exactly as ``re.sub`` makes it. Boundary: no
rules here (they are the front end's), no words.
"""

import difflib
import re
from dataclasses import dataclass
from typing import Callable, Union

Replacement = Union[str, Callable[[re.Match], str]]


@dataclass(frozen=True)
class TrackedText:
    text: str
    starts: tuple[int, ...]  # for each character: the first source character it stands for
    ends: tuple[int, ...]  # ... and the end (exclusive) of the source characters it stands for

    @classmethod
    def of(cls, text: str) -> "TrackedText":
        return cls(text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))

    def sub(self, pattern: re.Pattern, replacement: Replacement) -> "TrackedText":
        """``pattern.sub(replacement, text)``, each new character standing for the match it replaced."""
        pieces, starts, ends, last = [], [], [], 0
        for match in pattern.finditer(self.text):
            start, end = match.span()
            pieces.append(self.text[last:start])
            starts.extend(self.starts[last:start])
            ends.extend(self.ends[last:start])
            new = replacement(match) if callable(replacement) else match.expand(replacement)
            pieces.append(new)
            for new_start, new_end in self._sources_of(start, end, new):
                starts.append(new_start)
                ends.append(new_end)
            last = end
        if not pieces:
            return self
        pieces.append(self.text[last:])
        starts.extend(self.starts[last:])
        ends.extend(self.ends[last:])
        return TrackedText("".join(pieces), tuple(starts), tuple(ends))

    def _sources_of(self, start: int, end: int, new: str) -> list[tuple[int, int]]:
        """The sources of the characters of `new`, which replaces characters [start, end).

        Characters the replacement keeps ("3" in "$3.50" -> "3 dollars and 50 cents") keep their
        sources; changed ones stand for what they changed, and inserted ones for the character
        before them, so a word a rule adds belongs to the written word it follows.
        """
        old = self.text[start:end]
        if old == new:
            return list(zip(self.starts[start:end], self.ends[start:end]))
        sources: list[tuple[int, int]] = []
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        for tag, old_start, old_end, new_start, new_end in matcher.get_opcodes():
            if tag == "equal":
                sources.extend(zip(self.starts[start + old_start:start + old_end],
                                   self.ends[start + old_start:start + old_end]))
            elif tag == "replace":
                sources.extend([self.source(start + old_start, start + old_end)] * (new_end - new_start))
            elif tag == "insert":
                before = sources[-1] if sources else self.source(start, min(start + 1, end))
                sources.extend([before] * (new_end - new_start))
            elif sources:  # a deleted character belongs to the one before it ("Dr." -> "Doctor")
                sources[-1] = (sources[-1][0], self.source(start + old_start, start + old_end)[1])
        return sources

    def strip(self) -> "TrackedText":
        stripped = self.text.strip()
        if stripped == self.text:
            return self
        first = len(self.text) - len(self.text.lstrip())
        last = first + len(stripped)
        return TrackedText(stripped, self.starts[first:last], self.ends[first:last])

    def source(self, start: int, end: int) -> tuple[int, int]:
        """The span of the source that characters [start, end) stand for (empty, in place, if they are none)."""
        if end > start:
            return min(self.starts[start:end]), max(self.ends[start:end])
        at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
        return at, at
