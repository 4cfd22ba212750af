"""The categorised test set: one sentence a line, ``<id> TAB <category> TAB <sentence>``.

The shipped set (`test_set.txt`, 64 sentences in 8 categories) has stable ids, so results of
different runs and versions can be joined on them. Lines starting with ``#`` and blank lines are
skipped. Boundary: reads and checks the file; runs nothing.
"""

from dataclasses import dataclass
from pathlib import Path

from kokoro_ui.errors import KokoroUIError

SHIPPED = Path(__file__).with_name("test_set.txt")
CATEGORIES = ("question", "exclamation", "statement", "numbers", "abbreviations", "homographs", "names", "long")


@dataclass(frozen=True)
class TestSentence:
    id: str
    category: str
    text: str


def load_test_set(path: Path = SHIPPED) -> list[TestSentence]:
    """The file's sentences in order; a malformed line or a repeated id is an error naming its line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise KokoroUIError(f"Cannot read the test set {path}: {error.strerror}.") from None
    sentences, seen = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 3 or not all(part.strip() for part in parts):
            raise KokoroUIError(f"{path}:{number}: expected '<id> TAB <category> TAB <sentence>'.")
        sentence = TestSentence(*(part.strip() for part in parts))
        if sentence.id in seen:
            raise KokoroUIError(f"{path}:{number}: the id {sentence.id!r} is used twice.")
        seen.add(sentence.id)
        sentences.append(sentence)
    if not sentences:
        raise KokoroUIError(f"The test set {path} has no sentences.")
    return sentences
