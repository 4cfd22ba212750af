"""Listening sessions: sentences, voice pairs, trial plans, and the rules a vote must pass."""

import contextlib
import json
import secrets
import subprocess
import sys
import threading
from collections import Counter

import pytest

from helpers.study import session_book

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.clips import ClipCache
from kokoro_ui.abtest.design import plan
from kokoro_ui.abtest.material import NEW, OLD, Sentence, load_sentences, voice_pairs
from kokoro_ui.abtest.sessions import CHOICES, SessionBook, VoteRefusedError
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.config.settings import Settings
from kokoro_ui.ui.listening_tab import cast_vote
from kokoro_ui.services.validation import validate_text
from kokoro_ui.weights.voices import MANIFEST_ROOT

SENTENCES = [Sentence(f"s{i}", f"Sentence number {i}.") for i in range(1, 11)]


@pytest.fixture
def book(tmp_path, manager) -> SessionBook:
    return session_book(tmp_path, SENTENCES, voice_pairs(manager), trials=3)


def listen(book: SessionBook, session_id: str, clips: str | None = None) -> int:
    """Play `clips` (default: all of the trial's) to the end, as the browser reports it; returns the trial number."""
    trial = book.current_trial(session_id)
    if trial is None:  # another thread cast the last vote meanwhile
        raise VoteRefusedError("finished")
    number, clips = trial.number, "".join(trial.clips) if clips is None else clips
    book.show(session_id, number, real_speech=False)
    for clip in clips:
        book.report(session_id, number, clip, "play")
        book.report(session_id, number, clip, "pause")  # browsers pause just before they report the end
        book.report(session_id, number, clip, "end")
    return number


def test_the_shipped_sentences_have_unique_ids_and_are_all_sayable():
    sentences = load_sentences(Settings().listening_sentences)
    assert len(sentences) >= 30
    assert len({sentence.id for sentence in sentences}) == len(sentences)
    for sentence in sentences:
        validate_text(sentence.text, 300)


def test_an_operator_list_without_ids_gets_ids_that_survive_reordering(tmp_path):
    (tmp_path / "a.txt").write_text("# mine\nHello there.\n\nGood night.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Good night.\nHello there.\n", encoding="utf-8")
    first, second = load_sentences(tmp_path / "a.txt"), load_sentences(tmp_path / "b.txt")
    assert sorted(first, key=lambda s: s.text) == sorted(second, key=lambda s: s.text)
    with pytest.raises(KokoroUIError, match="KOKORO_UI_LISTENING_SENTENCES"):
        load_sentences(tmp_path / "missing.txt")


def test_voice_pairs_are_the_v0_19_voices_whose_manifest_names_a_partner(manager):
    manifest = json.loads((MANIFEST_ROOT / "v0_19" / "voices.json").read_text(encoding="utf-8"))
    expected = {voice["id"]: voice["pairs_with"] for voice in manifest["voices"] if voice["pairs_with"]}
    pairs = voice_pairs(manager)
    assert {pair.voices[OLD]: pair.voices[NEW] for pair in pairs} == expected
    assert len(pairs) == 10 and "af" not in {pair.voices[OLD] for pair in pairs}


def test_a_plan_uses_every_sentence_once_and_spreads_the_voices(manager):
    pairs = voice_pairs(manager)
    slots = plan(SENTENCES, pairs, 11, secrets.SystemRandom())
    assert [slot.number for slot in slots] == list(range(1, 12))
    firsts = [slot for slot in slots if slot.repeat_of is None]
    assert sorted(slot.sentence.id for slot in firsts) == sorted(s.id for s in SENTENCES)
    assert len({slot.pair.name for slot in firsts}) == 10


def test_a_listening_test_can_be_limited_to_some_voice_pairs(manager):
    assert [pair.id for pair in voice_pairs(manager, " am_adam, af_bella")] == ["af_bella", "am_adam"]
    with pytest.raises(KokoroUIError, match="KOKORO_UI_LISTENING_VOICES names af_nobody"):
        voice_pairs(manager, "af_bella,af_nobody")


def test_the_vote_stays_closed_until_both_clips_were_played_to_the_end(book):
    session = book.start()
    number = listen(book, session.id, clips="A")
    with pytest.raises(VoteRefusedError, match="Play both clips"):
        book.vote(session.id, number, "A")
    assert book.report(session.id, number, "B", "play") is False
    assert book.report(session.id, number, "B", "end") is True
    book.vote(session.id, number, "A")


def test_an_end_report_without_a_play_opens_nothing(book):
    session = book.start()
    number = listen(book, session.id, clips="A")
    assert book.report(session.id, number, "B", "end") is False


def test_a_second_vote_and_a_vote_for_another_trial_are_refused(book):
    session = book.start()
    number = listen(book, session.id)
    book.vote(session.id, number, "B")
    with pytest.raises(VoteRefusedError, match="each trial takes exactly one vote"):
        book.vote(session.id, number, "A")
    listen(book, session.id)
    with pytest.raises(VoteRefusedError, match="trial 3"):
        book.vote(session.id, 3, "A")
    assert len(book.store.votes(session.id)) == 1


def test_unknown_sessions_and_choices_are_refused(book):
    with pytest.raises(VoteRefusedError, match="start a new one"):
        book.vote("not-a-session", 1, "A")
    session = book.start()
    with pytest.raises(VoteRefusedError, match="Choose A, B or no preference"):
        book.vote(session.id, listen(book, session.id), "C")


def test_a_vote_records_the_release_behind_the_letter(book):
    session = book.start()
    for choice in ("A", "B", "none"):
        trial = book.current_trial(session.id)
        record = book.vote(session.id, listen(book, session.id), choice, "  fine\x00 \n")
        expected = {"A": trial.a_release, "B": trial.b_release, "none": None}[choice]
        assert record.preferred_release == expected and record.comment == "fine"
        assert record.a_voice == trial.pair.voices[trial.a_release]
    assert book.current_trial(session.id) is None
    with pytest.raises(VoteRefusedError, match="finished"):
        book.vote(session.id, 3, "A")


DISK_WRITER = """
import os, sys, time
stop = time.monotonic() + float(sys.argv[2])
while time.monotonic() < stop:
    with open(sys.argv[1], "wb") as out:
        for _ in range(16):
            out.write(os.urandom(1 << 16))
            out.flush()
            os.fsync(out.fileno())
"""
CORE_SPINNER = "import sys, time\nstop = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < stop: pass\n"


@pytest.fixture
def busy_disk_and_core(tmp_path):
    """Two other processes writing and fsyncing to the disk the votes are on, and one more keeping a core
    busy, for at most ten minutes (stopped with the test)."""
    others = [subprocess.Popen([sys.executable, "-c", DISK_WRITER, str(tmp_path / f"other-{n}.bin"), "600"])
              for n in range(2)]
    others.append(subprocess.Popen([sys.executable, "-c", CORE_SPINNER, "600"]))
    try:
        yield
    finally:
        for process in others:
            process.kill()
            process.wait()


def test_eight_threads_casting_four_hundred_votes_lose_none_and_double_none(tmp_path, manager, busy_disk_and_core):
    """Reads take no lock and busy writes wait their turn: nothing is lost, doubled or refused as "locked",
    while other processes make the disk slow to sync."""
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager), trials=10)
    sessions = [book.start().id for _ in range(40)]  # 40 sessions x 10 trials = 400 votes
    accepted, errors = Counter(), []
    lock, barrier = threading.Lock(), threading.Barrier(8)

    def cast(worker: int, session_id: str, number: int) -> None:
        try:
            book.vote(session_id, number, CHOICES[worker % 3], f"worker {worker}")
            with lock:
                accepted[(session_id, number)] += 1
        except VoteRefusedError:
            pass  # someone else's vote got there first, or the clips were not heard yet
        except Exception as error:  # anything else is a bug
            errors.append(error)

    def voter(worker: int) -> None:
        """Listens to and votes on its own five sessions, and tries to vote on everyone else's too."""
        mine, others = sessions[worker::8], [s for i, s in enumerate(sessions) if i % 8 != worker]
        barrier.wait()
        try:
            while any(book.current_trial(session_id) for session_id in mine):
                for session_id in mine:
                    with contextlib.suppress(VoteRefusedError):  # another thread voted on it meanwhile
                        if book.current_trial(session_id) is not None:
                            cast(worker, session_id, listen(book, session_id))
                for session_id in others:
                    trial = book.current_trial(session_id)
                    if trial is not None:
                        cast(worker, session_id, trial.number)
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=voter, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = book.store.votes()
    assert len(stored) == 400 and sum(accepted.values()) == 400 and set(accepted.values()) == {1}
    assert Counter((vote.session_id, vote.trial) for vote in stored) == accepted


def test_the_tab_shows_a_refused_vote_as_a_message_and_changes_nothing_else(book, manager):
    test = ListeningTest(manager, book.store, book, ClipCache(manager))
    session = book.start()
    screen = cast_vote(test, session.id, 1, "A", "")
    assert screen.refused and screen.message.startswith("Vote not counted: Play both clips")
    screen = cast_vote(test, None, 1, "A", "")
    assert screen.refused and "start a new one" in screen.message
    assert book.store.votes() == []
