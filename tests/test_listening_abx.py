"""The listening tab in ABX mode: an X player and two answers on the page, and a whole session
through the tab's own handlers that stores, reveals and reports what the listener got right."""

from dataclasses import replace

import gradio as gr
import pytest
from helpers.study import fill_bank

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.design import ABX
from kokoro_ui.abtest.material import load_sentences, voice_pairs
from kokoro_ui.ui.listening_tab import (ABX_WORDING, Screen, _updates, cast_vote, heard, render_listening_tab,
                                        reveal_table, start_session)
from kokoro_ui.ui.results_tab import results


@pytest.fixture(scope="module")
def abx_test(tmp_path_factory, manager) -> ListeningTest:
    folder = tmp_path_factory.mktemp("abx")
    (folder / "sentences.txt").write_text("x1\tOne.\nx2\tTwo.\n", encoding="utf-8")
    bank = fill_bank(manager, folder / "bank", load_sentences(folder / "sentences.txt"), voice_pairs(manager, "af_bella"))
    settings = replace(manager.settings, votes_db=str(folder / "votes.sqlite3"), listening_mode=ABX,
                       listening_trials=4, listening_sentences=folder / "sentences.txt",
                       listening_voices="af_bella", clip_bank=str(bank.folder))
    return ListeningTest.open(manager, settings)


def test_the_abx_tab_has_an_x_player_and_two_answers_and_its_updates_fit_its_outputs(abx_test):
    with gr.Blocks() as demo:
        render_listening_tab(abx_test)
    config = demo.get_config_file()
    ids = {component["props"].get("elem_id") for component in config["components"]}
    assert {"listen-a", "listen-b", "listen-x", "vote-a", "vote-b"} <= ids and "vote-none" not in ids
    start = next(component["id"] for component in config["components"]
                 if component["props"].get("elem_id") == "listen-start")
    outputs = next(len(dep["outputs"]) for dep in config["dependencies"] if start in [t[0] for t in dep["targets"]])
    assert len(_updates(Screen(reveal=None), ABX_WORDING)) == outputs
    assert len(_updates(Screen(refused=True, message="no"), ABX_WORDING)) == outputs


def test_an_abx_session_through_the_tabs_handlers_stores_reveals_and_reports_what_was_right(abx_test):
    screen = start_session(abx_test)
    for _ in range(4):
        assert screen.clip_x is not None and len({screen.clip_a, screen.clip_b, screen.clip_x}) == 3
        for clip in "ABX":
            heard(abx_test, screen.session_id, screen.trial_number, clip, "play")
            votable = heard(abx_test, screen.session_id, screen.trial_number, clip, "end")
        assert votable
        screen = cast_vote(abx_test, screen.session_id, screen.trial_number, "A", "")
        assert not screen.refused, screen.message
    assert screen.reveal is not None
    votes = abx_test.store.votes(screen.session_id)
    assert [vote.correct for vote in votes] == [vote.x_release == vote.a_release for vote in votes]
    assert all(vote.mode == ABX and vote.preferred_release is None for vote in votes)
    table, tally = reveal_table(abx_test, screen.session_id)
    assert list(table["Right"]) == ["yes" if vote.correct else "no" for vote in votes]
    assert f"out of {len(votes)}" in tally
    firsts = [vote for vote in votes if vote.repeat_of is None]
    shown = results(abx_test.store, include_noise=True)
    assert f"**{sum(vote.correct for vote in firsts)}** of **{len(firsts)}** ABX answers were correct" \
        in shown.abx_summary
