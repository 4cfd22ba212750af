"""The fixed texts every benchmark run measures."""

from kokoro_ui.ui.examples import LONG_PASSAGE

SENTENCE_50 = "The quick brown fox jumps over the lazy dog at dawn."  # the issue's ~50-character case
SENTENCE = "The quick brown fox jumps over the lazy dog while the cat watches from the fence."
# ~1,000 characters: the long passage's opening, cut at the sentence end nearest to 1,000.
PARAGRAPH = LONG_PASSAGE[:LONG_PASSAGE.index(" The first systems worked")]
PASSAGE = LONG_PASSAGE

TEXTS = {"sentence": SENTENCE, "paragraph": PARAGRAPH, "passage": PASSAGE}
FAIR_TEXTS = {"sentence50": SENTENCE_50, "paragraph": PARAGRAPH}  # fair-mode first audio of both sides
