"""The study design: counterbalanced order per cell across sessions and processes, the repeated
trial in every session, and ABX trials that store whether the listener found X."""

import secrets
import threading
from collections import Counter

import pytest

from helpers.study import session_book

from kokoro_ui.abtest.design import ABX, least_shown, plan
from kokoro_ui.abtest.material import NEW, OLD, Sentence, voice_pairs
from kokoro_ui.abtest.sessions import SessionBook, VoteRefusedError

SENTENCES = [Sentence("d1", "One."), Sentence("d2", "Two."), Sentence("d3", "Three.")]


def listen_and_vote(book: SessionBook, session_id: str, choice: str) -> None:
    trial = book.current_trial(session_id)
    book.show(session_id, trial.number, real_speech=True)
    for clip in trial.clips:
        book.report(session_id, trial.number, clip, "play")
        book.report(session_id, trial.number, clip, "end")
    book.vote(session_id, trial.number, choice)


def test_the_least_shown_level_is_chosen_and_ties_are_a_fair_coin():
    rng = secrets.SystemRandom()
    assert least_shown({"a_release": {NEW: 3, OLD: 2}}, rng) == {"a_release": OLD}
    draws = Counter(least_shown({"a_release": {NEW: 4, OLD: 4}}, rng)["a_release"] for _ in range(2000))
    assert 900 < draws[NEW] < 1100


@pytest.mark.parametrize("count", [2, 3, 4, 10])
def test_every_plan_repeats_exactly_one_earlier_trial_at_least_two_trials_later(manager, count):
    rng, pairs = secrets.SystemRandom(), voice_pairs(manager)
    for _ in range(200):
        slots = plan(SENTENCES, pairs, count, rng)
        repeats = [slot for slot in slots if slot.repeat_of is not None]
        assert len(repeats) == 1 and len(slots) == count
        original = slots[repeats[0].repeat_of - 1]
        assert (original.sentence, original.pair) == (repeats[0].sentence, repeats[0].pair)
        assert repeats[0].number - original.number >= min(2, count - 1)


def test_the_repeated_trial_swaps_a_and_b(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager), 4)
    session = book.start()
    for _ in range(4):
        listen_and_vote(book, session.id, "A")
    votes = {vote.trial: vote for vote in book.store.votes(session.id)}
    repeat = next(vote for vote in votes.values() if vote.repeat_of is not None)
    original = votes[repeat.repeat_of]
    assert (repeat.a_release, repeat.b_release) == (original.b_release, original.a_release)
    assert (repeat.sentence_id, repeat.pair) == (original.sentence_id, original.pair)
    assert repeat.preferred_release != original.preferred_release  # "A" both times: a listener who flipped


def test_counterbalancing_holds_in_every_cell_over_200_sessions_in_four_processes(postgres, manager):
    """Four books on one PostgreSQL database stand for four app processes: 200 sessions at once."""
    url, pairs = postgres.new_database(), voice_pairs(manager, "af_bella,am_adam")
    books = [session_book(url, SENTENCES, pairs, 4) for _ in range(4)]
    errors: list[Exception] = []

    def run(book: SessionBook, sessions: int) -> None:
        try:
            for _ in range(sessions):
                session = book.start()
                for _ in range(4):
                    listen_and_vote(book, session.id, secrets.choice("AB"))
        except Exception as error:  # reported below: any error fails the test
            errors.append(error)

    threads = [threading.Thread(target=run, args=(book, 50)) for book in books]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    votes = books[0].store.votes()
    assert len(votes) == 800 and len({vote.session_id for vote in votes}) == 200
    firsts = Counter(((vote.sentence_id, vote.pair), vote.a_release) for vote in votes if vote.repeat_of is None)
    cells = {cell for cell, _ in firsts}
    assert len(cells) == len(SENTENCES) * len(pairs)
    for cell in cells:
        assert abs(firsts[cell, NEW] - firsts[cell, OLD]) <= 1, (cell, firsts[cell, NEW], firsts[cell, OLD])
    assert sum(vote.repeat_of is not None for vote in votes) == 200  # one repeated trial in every session


def test_an_abx_trial_needs_all_three_clips_and_a_forced_choice(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager), 3, mode=ABX)
    session = book.start()
    trial = book.current_trial(session.id)
    assert trial.clips == ("A", "B", "X") and trial.x_release in (trial.a_release, trial.b_release)
    book.show(session.id, trial.number, real_speech=True)
    for clip in "AB":
        book.report(session.id, trial.number, clip, "play")
        assert book.report(session.id, trial.number, clip, "end") is False
    with pytest.raises(VoteRefusedError, match="Play A, B and X"):
        book.vote(session.id, trial.number, "A")
    book.report(session.id, trial.number, "X", "play")
    assert book.report(session.id, trial.number, "X", "end") is True
    with pytest.raises(VoteRefusedError, match="Choose A or B"):
        book.vote(session.id, trial.number, "none")
    right = "A" if trial.x_release == trial.a_release else "B"
    record = book.vote(session.id, trial.number, right)
    assert record.mode == ABX and record.correct is True and record.preferred_release is None
    assert record.x_release == trial.x_release and record.x_plays == 1
    wrong = "B" if book.current_trial(session.id).x_release == book.current_trial(session.id).a_release else "A"
    listen_and_vote(book, session.id, wrong)
    assert [vote.correct for vote in book.store.votes(session.id)] == [True, False]


def test_abx_balances_which_release_x_is_as_well_as_the_order(tmp_path, manager):
    pairs = voice_pairs(manager, "af_bella")
    book = session_book(tmp_path, SENTENCES[:1], pairs, 1, mode=ABX)
    trials = []
    for _ in range(41):
        session = book.start()
        trials.append(book.current_trial(session.id))
    for factor in ("a_release", "x_release"):
        shown = Counter(getattr(trial, factor) for trial in trials)
        assert abs(shown[NEW] - shown[OLD]) <= 1, (factor, shown)
    assert {trial.mode for trial in trials} == {ABX}


def test_new_sessions_favour_cells_with_fewer_ratings_and_order_stays_balanced_over_200_sessions(tmp_path, manager):
    """12 cells (6 sentences x 2 pairs), 200 sessions of 3 trials (2 cells and a repeat): every first
    trial voted. Ratings spread within one of each other, and each cell's A/B order within one."""
    sentences = [Sentence(f"f{i}", f"Favour {i}.") for i in range(6)]
    book = session_book(tmp_path, sentences, voice_pairs(manager, "af_bella,am_adam"), 3)
    for _ in range(200):
        session = book.start()
        for slot in session.trials[:2]:  # the two first trials; the repeat adds nothing new
            book.show(session.id, slot.number, real_speech=True)
            for clip in "AB":
                book.report(session.id, slot.number, clip, "play"), book.report(session.id, slot.number, clip, "end")
            book.vote(session.id, slot.number, "A")
    votes = book.store.votes()
    assert len(votes) == 400
    per_cell = Counter((vote.sentence_id, vote.pair) for vote in votes)
    assert len(per_cell) == 12 and max(per_cell.values()) - min(per_cell.values()) <= 1
    orders = Counter((vote.sentence_id, vote.pair, vote.a_release) for vote in votes)
    for sentence_id, pair in per_cell:
        assert abs(orders[(sentence_id, pair, NEW)] - orders[(sentence_id, pair, OLD)]) <= 1
