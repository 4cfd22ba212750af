"""The Results tab before the first vote: one line on how to begin and how many sessions are under way,
no chart, no table, no CSV."""

from helpers.study import session_book

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.clips import ClipCache
from kokoro_ui.abtest.material import Sentence, voice_pairs
from kokoro_ui.ui.results_tab import show_results


def test_before_the_first_vote_the_tab_says_how_to_begin_and_draws_nothing(tmp_path, manager):
    book = session_book(tmp_path, [Sentence("s1", "One.")], voice_pairs(manager), 2)
    test = ListeningTest(manager, book.store, book, ClipCache(manager))
    shown = show_results(test, False)
    summary, *tables, body = shown
    assert summary.startswith("No votes yet.") and "**Start a listening session**" in summary
    assert "no session is under way" in summary
    assert body["visible"] is False and len(tables) == 9  # the summaries, tables, chart, CSV and quality line
    assert tables == [{"__type__": "update"}] * 9  # left as they are: hidden, never filled


def test_the_line_counts_the_sessions_under_way(tmp_path, manager):
    book = session_book(tmp_path, [Sentence("s1", "One.")], voice_pairs(manager), 1)
    test = ListeningTest(manager, book.store, book, ClipCache(manager))
    book.start(), book.start()
    assert "2 sessions are under way" in show_results(test, False)[0]


def test_a_finished_session_is_no_longer_under_way(tmp_path, manager):
    book = session_book(tmp_path, [Sentence("s1", "One.")], voice_pairs(manager), 1)
    done, _ = book.start(), book.start()
    book.show(done.id, 1, real_speech=True)
    for clip in "AB":
        book.report(done.id, 1, clip, "play"), book.report(done.id, 1, clip, "end")
    book.vote(done.id, 1, "A")
    assert book.running() == 1
