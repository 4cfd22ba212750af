"""The Listening test tab: blind A/B, ABX, MOS or CMOS trials, one vote each, and the reveal at the end;
with ``KOKORO_UI_HEADPHONE_CHECK``, three headphone-check sounds (one answer each) before the first trial.

Every event here is private (no client API): votes should come from people who listened in the
browser, and the play reports exist only to unlock the vote. The session id and trial number
live in `gr.State`, which stays on the server.
"""

from dataclasses import dataclass
from functools import partial
from typing import Optional

import gradio as gr
import pandas as pd

from kokoro_ui.abtest import ListeningTest, ScreeningClip
from kokoro_ui.abtest.crowd import completion_words, participant_from
from kokoro_ui.abtest.design import ABX, CMOS, MOS
from kokoro_ui.abtest.material import NEW, OLD
from kokoro_ui.abtest.store import VoteStoreError
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.ui.listening_words import (CHOICE_WORDS, SCREENING_ANSWERS, SCREENING_INTRO, SCREENING_LOCKED,
                                          SCREENING_UNLOCKED, Wording, keys_line, keys_script, wording)
from kokoro_ui.ui.wav_player import WavPlayer


@dataclass
class Screen:
    """What one handler shows on the tab (`_updates` turns it into component updates)."""

    session_id: Optional[str] = None
    trial_number: Optional[int] = None
    progress: str = ""
    sentence: str = ""
    note: str = ""
    clip_a: Optional[str] = None
    clip_b: Optional[str] = None
    clip_x: Optional[str] = None
    message: str = ""
    reveal: Optional[pd.DataFrame] = None
    tally: str = ""
    refused: bool = False  # a refused vote changes only the message
    stuck: bool = False  # no trial can be shown: only a new session can go on
    screening: Optional[ScreeningClip] = None  # a headphone-check sound to answer, before the first trial


def render_listening_tab(test: ListeningTest) -> None:
    with gr.Column(elem_id="listen-panel"):
        _layout_and_events(test, wording(test.book.mode))


def _layout_and_events(test: ListeningTest, words: Wording) -> None:
    gr.Markdown(words.intro.format(n=test.book.length)
                + ("\n\nBefore the first trial: a short headphone check." if test.book.headphone_check else ""))
    session_id, trial_number, screening_number = gr.State(None), gr.State(0), gr.State(0)
    start = gr.Button("Start a listening session", variant="primary", elem_id="listen-start")
    with gr.Column(visible=False, elem_id="listen-screening") as screening_box:
        screening_progress = gr.Markdown(elem_id="screen-progress")
        gr.Markdown(SCREENING_INTRO)
        screening_player = WavPlayer(label="Three tones", type="filepath", interactive=False, editable=False,
                                     buttons=[], waveform_options=gr.WaveformOptions(show_recording_waveform=False),
                                     elem_id="screen-audio")
        screening_status = gr.Markdown(SCREENING_LOCKED, elem_id="screen-status")
        with gr.Row():
            answers = [gr.Button(text, interactive=False, elem_id=elem_id) for _, text, elem_id, _ in SCREENING_ANSWERS]
        gr.Markdown("Keys: **1**, **2**, **3**.")
    with gr.Column(visible=False, elem_id="listen-trial") as trial_box:
        progress = gr.Markdown(elem_id="listen-progress")
        note = gr.Markdown(elem_id="listen-note", elem_classes="kab-banner")
        sentence = gr.Markdown(elem_id="listen-sentence")
        with gr.Row():
            players = [WavPlayer(label=label, type="filepath", interactive=False, editable=False, buttons=[],
                                waveform_options=gr.WaveformOptions(show_recording_waveform=False),
                                elem_id=f"listen-{label.lower()}") for label in words.clips]
        status = gr.Markdown(words.locked, elem_id="listen-status")
        with gr.Row():
            buttons = [gr.Button(text, interactive=False, elem_id=elem_id) for _, text, elem_id, _ in words.votes]
        gr.Markdown(keys_line(words), elem_id="listen-keys")
        comment = gr.Textbox(label="Comment (optional)", max_lines=3, elem_id="listen-comment")
    message = gr.Markdown(elem_id="listen-message", elem_classes="kab-error")
    with gr.Column(visible=False, elem_id="listen-reveal") as reveal_box:
        tally = gr.Markdown(elem_id="listen-tally")
        reveal = gr.Dataframe(interactive=False, wrap=True, elem_id="listen-reveal-table")

    screen = [session_id, trial_number, trial_box, progress, sentence, note, *players, status, *buttons,
              comment, message, reveal_box, tally, reveal, start, screening_number, screening_box, screening_progress,
              screening_player, screening_status, *answers]
    show = partial(_updates, words=words)
    # clips come from the bank or are made on demand; a few sessions may wait for them at once. No progress
    # trackers: Gradio left the tracker of an output whose value did not change (the empty message line) at
    # 'processing' after the event ended, its timer redrawing the page on every frame (10 pages in a trial:
    # Chromium 1.16 -> 0.77 cores with them hidden)
    # progress shows on the trial's heading only: shown on every output, an output whose value did not
    # change (the empty message line) kept Gradio's tracker at 'processing' after the event ended, its
    # timer redrawing the page every frame (~5 % of a core per open page in Chromium)
    def start_from_link(request: gr.Request) -> list:
        return show(start_session(test, dict(request.query_params) if request else {}))

    start.click(start_from_link, None, screen, api_visibility="private",
                concurrency_limit=4, concurrency_id="listening", show_progress="hidden")
    gr.on(None, None, None, None, js=keys_script(words))  # on page load: the vote keys
    for (choice, *_), button in zip(words.votes, buttons):
        button.click(lambda sid, number, text, choice=choice: show(cast_vote(test, sid, number, choice, text)),
                     [session_id, trial_number, comment], screen, api_visibility="private",
                     concurrency_limit=4, concurrency_id="listening", show_progress="hidden")
    for clip, player in zip(words.clips, players):
        for event, listener in (("play", player.play), ("pause", player.pause)):  # recorded; they open nothing
            listener(partial(_record, test, clip=clip, event=event), [session_id, trial_number], None,
                     api_visibility="private", show_progress="hidden", concurrency_limit=None)
        player.stop(partial(_heard, test, clip=clip, event="end", words=words), [session_id, trial_number],
                    [status, *buttons], api_visibility="private", show_progress="hidden", concurrency_limit=None)
    for (answer, *_), button in zip(SCREENING_ANSWERS, answers):
        button.click(lambda sid, number, answer=answer: show(answer_screening(test, sid, number, answer)),
                     [session_id, screening_number], screen, api_visibility="private",
                     concurrency_limit=4, concurrency_id="listening", show_progress="hidden")
    for event, listener in (("play", screening_player.play), ("pause", screening_player.pause)):
        listener(partial(heard_screening, test, event=event), [session_id, screening_number], None,
                 api_visibility="private", show_progress="hidden", concurrency_limit=None)
    screening_player.stop(partial(_screening_heard, test), [session_id, screening_number], [screening_status, *answers],
                          api_visibility="private", show_progress="hidden", concurrency_limit=None)


def start_session(test: ListeningTest, query: Optional[dict[str, str]] = None) -> Screen:
    """A new session; `query` is the page's URL query, which may carry a crowd participant's id."""
    try:
        session = test.book.start(participant_from(query or {}))
    except VoteStoreError as error:  # the cells to play are chosen from the ratings stored: it is down
        return Screen(message=f"The next trial could not be shown: {error} Start a session once it is back.",
                      refused=True)
    except KokoroUIError as error:
        return Screen(message=str(error), refused=True)
    return _trial_screen(test, session.id)


def cast_vote(test: ListeningTest, session_id: Optional[str], trial_number: int, choice: str, comment: str) -> Screen:
    """Store the vote, then show the next trial or, after the last one, the reveal."""
    try:
        test.book.vote(session_id, trial_number, choice, comment)
    except KokoroUIError as error:
        return Screen(message=f"Vote not counted: {error}", refused=True)
    return _trial_screen(test, session_id)


def answer_screening(test: ListeningTest, session_id: Optional[str], number: int, answer: str) -> Screen:
    """Take one headphone-check answer, then show the next sound or, after the third, the first trial."""
    try:
        test.book.answer_screening(session_id, number, answer)
    except KokoroUIError as error:
        return Screen(message=f"Answer not taken: {error}", refused=True)
    return _trial_screen(test, session_id)


def heard_screening(test: ListeningTest, session_id: Optional[str], number: int, event: str) -> bool:
    """The browser played, paused or finished the headphone check's sound; returns whether it may be answered."""
    if not session_id:
        return False
    try:
        return test.book.report_screening(session_id, number, event)
    except KokoroUIError:  # an expired session: the next answer says so
        return False


def heard(test: ListeningTest, session_id: Optional[str], trial_number: int, clip: str, event: str) -> bool:
    """The browser played, paused or finished clip A, B or X; returns whether the vote is open."""
    if not session_id:
        return False
    try:
        return test.book.report(session_id, trial_number, clip, event)
    except KokoroUIError:  # an expired session: the next vote says so
        return False


def reveal_table(test: ListeningTest, session_id: str) -> tuple[pd.DataFrame, str]:
    """The session's trials as the database stored them, with which release was A, B (and X)."""
    votes = test.store.votes(session_id)
    names = {voice.id: voice.name for voice in test.manager.voices(OLD)}
    rows = []
    for vote in votes:
        row = {"Trial": vote.trial, "Sentence": vote.sentence, "Voice": names.get(vote.pair, vote.pair)}
        if vote.mode == MOS:
            row |= {"You heard": vote.a_release, "Your score": vote.score}
        else:
            row |= {"A was": vote.a_release, "B was": vote.b_release}
        if vote.mode == ABX:
            row |= {"X was": vote.x_release, "You said X is": vote.choice, "Right": "yes" if vote.correct else "no"}
        elif vote.mode == CMOS:
            row |= {"B against A": f"{vote.score:+d}", "You preferred": vote.preferred_release or "neither"}
        elif vote.mode != MOS:
            row |= {"You chose": CHOICE_WORDS[vote.choice], "You preferred": vote.preferred_release or "no preference"}
        rows.append(row | ({} if vote.mode == MOS else {"Repeats trial": vote.repeat_of or ""}))
    return pd.DataFrame(rows), _tally(votes)


def _tally(votes: list) -> str:
    thanks = "### Thank you! Here is which was which."
    mode = votes[0].mode if votes else None
    if mode == ABX:
        right = sum(bool(vote.correct) for vote in votes)
        return f"{thanks}\nYou found X {_times(right)} out of {len(votes)}."
    if mode == MOS:
        means = {release: [vote.score for vote in votes if vote.a_release == release] for release in (NEW, OLD)}
        return thanks + "\nYour mean score: " + ", ".join(
            f"**{release}** {sum(scores) / len(scores):.2f}" for release, scores in means.items() if scores) + "."
    counts = {release: sum(vote.preferred_release == release for vote in votes) for release in (NEW, OLD)}
    ties = sum(vote.preferred_release is None for vote in votes)
    neither = "rated them about the same" if mode == CMOS else "had no preference"
    return (f"{thanks}\nYou preferred **{NEW}** {_times(counts[NEW])}, "
            f"**{OLD}** {_times(counts[OLD])}, and {neither} {_times(ties)}.")


def _trial_screen(test: ListeningTest, session_id: str) -> Screen:
    try:
        screening = test.current_screening(session_id)
        if screening is not None:
            return Screen(session_id, 0, screening=screening)
        clips = test.current_clips(session_id)
        if clips is None:
            table, tally = reveal_table(test, session_id)
            session = test.book.get(session_id)
            check = next((slot for slot in session.trials if slot.attention is not None), None)
            if check is not None:  # it has no row in the table: say why its number is missing
                tally += f"\n\nTrial {check.number} was an attention check: its clips asked for **{check.attention}**."
            code = completion_words(test.completion_code, session.participant)
            return Screen(session_id, 0, reveal=table, tally=f"{code}\n\n{tally}" if code else tally)
    except VoteStoreError as error:  # the order of a trial is drawn from the database: it is down
        return Screen(session_id, 0, message=f"The next trial could not be shown: {error} Votes cast so far "
                                             "are kept; start a new session once it is back.", stuck=True)
    except KokoroUIError as error:  # votes so far are stored; the trial cannot be shown
        return Screen(session_id, 0, message=f"The clips could not be made: {error}", stuck=True)
    return Screen(session_id, clips.number, progress=f"### Trial {clips.number} / {clips.total}",
                  sentence=f"**Voice:** {clips.voice_name}  \n**Sentence:** {clips.sentence}", note=clips.noise_note,
                  clip_a=clips.a_path, clip_b=clips.b_path, clip_x=clips.x_path)


def _record(test: ListeningTest, session_id: Optional[str], trial_number: int, clip: str, event: str) -> None:
    heard(test, session_id, trial_number, clip, event)


def _heard(test: ListeningTest, session_id: Optional[str], trial_number: int, clip: str, event: str,
           words: Wording) -> list:
    """Opens the vote once every clip was heard, and otherwise changes nothing: reports are answered in
    any order, so a late answer must never close a vote that another answer opened (a new trial's
    screen closes it)."""
    if not heard(test, session_id, trial_number, clip, event):
        return [gr.skip()] * (1 + len(words.votes))
    return [words.unlocked] + [gr.update(interactive=True)] * len(words.votes)


def _screening_heard(test: ListeningTest, session_id: Optional[str], number: int) -> list:
    """Opens the headphone check's answers once its sound was heard to the end (as `_heard` does a vote)."""
    if not heard_screening(test, session_id, number, "end"):
        return [gr.skip()] * (1 + len(SCREENING_ANSWERS))
    return [SCREENING_UNLOCKED] + [gr.update(interactive=True)] * len(SCREENING_ANSWERS)


def _updates(screen: Screen, words: Wording) -> list:
    """A `Screen` as updates for the tab's components, in `_layout_and_events`'s order."""
    keep = gr.skip()
    clips = [{"A": screen.clip_a, "B": screen.clip_b, "X": screen.clip_x}[clip] for clip in words.clips]
    if screen.refused:  # only `message` changes
        return ([keep] * (8 + len(clips) + len(words.votes)) + [screen.message]
                + [keep] * (9 + len(SCREENING_ANSWERS)))
    finished = screen.reveal is not None
    closed = [gr.update(interactive=False)] * len(words.votes)
    start = gr.update(value="Start a new session" if finished else "Start over with a new session",
                      variant="primary" if finished else "secondary")
    screening = screen.screening
    trial_shown = not (finished or screen.stuck or screening)
    return [screen.session_id, screen.trial_number, gr.update(visible=trial_shown), screen.progress, screen.sentence,
            gr.update(value=screen.note, visible=bool(screen.note)), *clips, words.locked, *closed,
            "", screen.message, gr.update(visible=finished), screen.tally, screen.reveal if finished else keep, start,
            screening.number if screening else 0, gr.update(visible=bool(screening)),
            f"### Headphone check {screening.number} / {screening.total}" if screening else "",
            screening.path if screening else None, SCREENING_LOCKED,
            *[gr.update(interactive=False)] * len(SCREENING_ANSWERS)]


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"
