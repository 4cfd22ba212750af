"""Crowd links: the participant id from the URL on every rating, the completion code at the end, and no
second session for an id that finished."""

import csv

import pytest

from helpers.study import session_book

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.clips import ClipCache
from kokoro_ui.abtest.crowd import LINK, PROLIFIC, Participant, completion_words, participant_from
from kokoro_ui.abtest.design import MOS
from kokoro_ui.abtest.material import Sentence, voice_pairs
from kokoro_ui.abtest.records import write_votes_csv
from kokoro_ui.abtest.sessions import SessionBook, VoteRefusedError
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.ui.listening_tab import cast_vote, start_session

SENTENCES = [Sentence("s1", "One."), Sentence("s2", "Two.")]
PROLIFIC_QUERY = {"PROLIFIC_PID": "5f8a9c0d1e2f3a4b5c6d7e8f", "STUDY_ID": "study-1", "SESSION_ID": "sess.9"}


def test_a_prolific_link_names_participant_study_and_session():
    assert participant_from(PROLIFIC_QUERY) == Participant("5f8a9c0d1e2f3a4b5c6d7e8f", PROLIFIC, "study-1", "sess.9")
    assert participant_from({"participant": "p-17"}) == Participant("p-17", LINK)
    assert participant_from({}) is None and participant_from({"other": "x"}) is None


@pytest.mark.parametrize("bad", ["<script>", "a b", "x" * 65, "é"])
def test_an_id_that_is_not_an_id_is_refused(bad):
    with pytest.raises(KokoroUIError, match="participant id"):
        participant_from({"participant": bad})


def test_the_completion_code_comes_with_prolifics_return_link_only_for_its_ids():
    prolific = completion_words("C0DE123", participant_from(PROLIFIC_QUERY))
    assert "`C0DE123`" in prolific and "https://app.prolific.com/submissions/complete?cc=C0DE123" in prolific
    generic = completion_words("C0DE123", participant_from({"participant": "p-17"}))
    assert "`C0DE123`" in generic and "prolific" not in generic
    assert completion_words("", participant_from(PROLIFIC_QUERY)) == ""


def finish(book: SessionBook, session_id: str) -> None:
    while (trial := book.current_trial(session_id)) is not None:
        book.show(session_id, trial.number, real_speech=True)
        for clip in trial.clips:
            book.report(session_id, trial.number, clip, "play"), book.report(session_id, trial.number, clip, "end")
        book.vote(session_id, trial.number, "4")


def test_every_rating_carries_the_id_and_a_finished_id_gets_no_second_session(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager, "af_bella"), 4, MOS)
    someone = participant_from(PROLIFIC_QUERY)
    started = book.start(someone)
    again = book.start(someone)  # two tabs at once: both may run until one finishes
    finish(book, started.id)
    stored = book.store.votes()
    assert len(stored) == 4
    assert {(v.participant, v.platform, v.study_id, v.platform_session) for v in stored} == {
        ("5f8a9c0d1e2f3a4b5c6d7e8f", "prolific", "study-1", "sess.9")}
    assert book.store.has_finished(someone.id) and not book.store.has_finished("p-17")
    with pytest.raises(VoteRefusedError, match="already finished"):
        book.start(someone)
    assert book.get(again.id).participant == someone  # the other tab is not thrown out
    book.start(participant_from({"participant": "p-17"}))  # another id is welcome


def test_the_public_csv_leaves_ids_out_and_the_backup_keeps_them(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager, "af_bella"), 4, MOS)
    finish(book, book.start(participant_from({"participant": "p-17"})).id)
    public = list(csv.DictReader(book.store.write_csv(tmp_path / "public.csv").open(encoding="utf-8")))
    private = list(csv.DictReader(write_votes_csv(book.store.votes(), tmp_path / "backup.csv").open(encoding="utf-8")))
    assert [row["participant"] for row in public] == [""] * 4
    assert [row["participant"] for row in private] == ["p-17"] * 4 and [row["mode"] for row in private] == ["mos"] * 4


def test_the_last_screen_shows_the_completion_code(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager, "af_bella"), 4, MOS)
    test = ListeningTest(manager, book.store, book, ClipCache(manager), completion_code="KOKO42")
    screen = start_session(test, PROLIFIC_QUERY)
    assert "KOKO42" not in screen.tally
    while screen.reveal is None:
        for event in ("play", "end"):
            book.report(screen.session_id, screen.trial_number, "A", event)
        screen = cast_vote(test, screen.session_id, screen.trial_number, "3", "")
        assert not screen.refused, screen.message
    assert "`KOKO42`" in screen.tally and "complete?cc=KOKO42" in screen.tally
    assert PROLIFIC_QUERY["PROLIFIC_PID"] not in screen.tally and "PROLIFIC" not in screen.reveal.to_string()
    refused = start_session(test, PROLIFIC_QUERY)
    assert refused.refused and "already finished" in refused.message
