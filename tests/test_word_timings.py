"""Every written word of both releases is timed once, in order, inside its chunk's audio."""

import pytest
from hypothesis import given, settings, strategies as st
from kokoro import KPipeline

from kokoro_ui.builds.v0_19.frontend import _NORMALISATION_RULES, normalize_text, normalize_tracked
from kokoro_ui.engine.words import FRAME_S, written_words

SENTENCES = [
    "Dr. Smith paid $3.50 for a well-known book.",
    "The meeting starts at 3:30 and ends at 5:00.",
    "In 1990, the population was 1,234,567 people.",
    "Mr. and Mrs. Jones moved to the U.S.A. in 2005.",
    '"Hello," she said, "it\'s a beautiful day!"',
    "It costs £5 million, or about $6.2 million.",
    "Pages 10-20 cover the first-class mail.",
    "The temperature dropped to 3.14 degrees (roughly).",
    "She's the editor-in-chief of the N.Y. Times.",
    "Call me at 9:05 tomorrow; don't be late.",
    "The 1980s were a decade of change, etc. and more.",
    "Ms. Brown's CDs cost $12 each.",
    "A twenty-five-year-old man won 3 medals.",
    "‘Curly quotes’ and “double quotes” are both fine.",
    "Wait... what? That's 100% wrong!",
    "He ran 26.2 miles in 3 hours—a record.",
    "St. Louis is 1,000 km from here, e.g. by car.",
    "Kokoro v1.0 replaced v0.19 in January 2025.",
    "The ratio was 3:1, not 2:1.",
    "Yeah, I'll pay $1 and 99 cents.",
    "Over 50% of the A.I. models were re-trained.",
    "Jr. and Sr. members met at 12:45 on 7/4.",
]
TEXT = "\n".join(SENTENCES)
VOICES = {"v0.19": "af", "v1.0": "af_heart"}


@pytest.fixture(scope="module", params=["v0.19", "v1.0"])
def spoken(request, manager):
    """One release's chunks for all the sentences (spoken fast: the durations are what matters)."""
    release = manager.get_model(request.param)
    return list(release.stream(TEXT, VOICES[request.param], speed=2.0))


def test_every_written_word_gets_exactly_one_timing_in_order(spoken):
    timed = [(word.text_start, word.text_end, word.word) for chunk in spoken for word in chunk.words]
    assert timed == [(word.start, word.end, word.word) for word in written_words(TEXT)]


def test_words_are_inside_their_chunk_and_do_not_overlap(spoken):
    for chunk in spoken:
        ends = [0.0] + [word.end_s for word in chunk.words]
        for word, previous_end in zip(chunk.words, ends):
            assert previous_end <= word.start_s <= word.end_s <= chunk.audio_s


def test_words_and_pauses_add_up_to_the_chunk_audio_within_a_frame(spoken):
    for chunk in spoken:
        words_s = sum(word.duration_s for word in chunk.words)
        edges = [0.0] + [edge for word in chunk.words for edge in (word.start_s, word.end_s)] + [chunk.audio_s]
        pauses_s = sum(edges[i + 1] - edges[i] for i in range(0, len(edges), 2))
        assert min(edges[i + 1] - edges[i] for i in range(0, len(edges), 2)) >= 0
        assert abs(words_s + pauses_s - chunk.audio_s) <= FRAME_S


def test_nearly_every_word_is_said_with_time_of_its_own(spoken):
    words = [word for chunk in spoken for word in chunk.words]
    said = [word for word in words if word.phonemes and word.duration_s > 0]
    assert len(said) >= 0.95 * len(words)


def test_money_is_one_written_word_spanning_its_spoken_words(spoken):
    dollars = next(word for chunk in spoken for word in chunk.words if word.word == "$3.50")
    assert len(dollars.phonemes.split()) >= 4  # "three dollars and fifty cents"


def test_v1_0_word_times_are_kpipeline_own_token_timestamps(v1):
    text = "Dr. Smith paid $3.50, and the well-known U.S.A. agreed."
    ours = next(v1.stream(text, "af_heart", fast_first=False)).words
    pipeline = KPipeline(lang_code="a", repo_id="hexgrad/Kokoro-82M", model=v1.kmodel)
    result = next(pipeline(text, voice=v1.voice_pack(v1.voices.get("af_heart"))))
    theirs = {token.text: (token.start_ts, token.end_ts) for token in result.tokens if token.phonemes}
    for word in ours:
        if word.word in theirs:  # words misaki keeps as one token
            assert (word.start_s, word.end_s) == pytest.approx(theirs[word.word])


def test_a_normalised_word_knows_the_written_word_it_came_from():
    text = "Dr. Smith paid $3.50 in 1990."
    tracked = normalize_tracked(text)
    cents = tracked.text.index("cents")  # a word the normaliser adds belongs to the written word it follows
    start, end = tracked.source(cents, cents + 5)
    assert text.index("$3.50") <= start <= end <= text.index("$3.50") + 5
    assert text[slice(*tracked.source(0, len("Doctor")))] == "Dr."
    ninety = tracked.text.index("90")
    assert text[slice(*tracked.source(ninety, ninety + 2))] == "90"


@settings(max_examples=60, deadline=None)
@given(st.text(st.sampled_from(list("ab1234567890 .,:$£-'\"()“”Dr.Mrs\n")), max_size=60))
def test_tracking_keeps_the_normaliser_output_and_sources_in_order(text):
    tracked = normalize_tracked(text)
    expected = text
    for rule in _NORMALISATION_RULES:  # the normaliser as plain re.sub, as v0.19 ran it
        expected = rule.pattern.sub(rule.replacement, expected)
    assert tracked.text == normalize_text(text) == expected.strip()
    assert len(tracked.starts) == len(tracked.ends) == len(tracked.text)
    assert all(0 <= start <= end <= len(text) for start, end in zip(tracked.starts, tracked.ends))
    assert list(tracked.starts) == sorted(tracked.starts)
