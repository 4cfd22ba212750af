"""Word and character error rates of a transcript against the text that was spoken (jiwer).

Both sides are normalised the same way first: lower case, curly apostrophes made straight,
punctuation dropped except inside words and numbers ("don't", "3.50", "10:30" stay whole).
A number written in digits on one side and in words on the other counts as an error: the
rates compare renderings of the same text, they do not judge a recogniser's spelling.
Boundary: strings in, rates out.
"""

import re

from kokoro_ui.measures.results import Intelligibility

_TOKEN = re.compile(r"[a-z0-9]+(?:['.,:][a-z0-9]+)*")


def normalised_words(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


def intelligibility(text: str, transcript: str, recogniser: str) -> Intelligibility:
    """The transcript scored against `text` (which must have a word to score against)."""
    import jiwer  # imported on first use

    reference, heard = " ".join(normalised_words(text)), " ".join(normalised_words(transcript))
    if not reference:
        raise ValueError("The text has no words to score a transcript against.")
    if not heard:  # nothing heard: every word and character deleted
        return Intelligibility(transcript, 1.0, 1.0, recogniser)
    return Intelligibility(transcript, float(jiwer.wer(reference, heard)), float(jiwer.cer(reference, heard)), recogniser)
