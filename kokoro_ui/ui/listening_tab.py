"""The Listening test tab: blind A/B trials, one vote each, and the reveal at the end.

Every event here is private (no client API): votes should come from people who listened in the
browser, and the play reports exist only to unlock the vote. The session id and trial number
live in `gr.State`, which stays on the server.
"""

from dataclasses import dataclass
from functools import partial
from typing import Optional

import gradio as gr
import pandas as pd

from kokoro_ui.abtest import ListeningTest
from kokoro_ui.abtest.sessions import NEW, OLD
from kokoro_ui.errors import KokoroUIError

VOTES = [("A", "A sounds better", "vote-a"), ("none", "No preference", "vote-none"), ("B", "B sounds better", "vote-b")]
CHOICE_WORDS = {"A": "A", "B": "B", "none": "no preference"}
LOCKED = "Play **both** clips, A and B, to the end. Then the vote opens."
UNLOCKED = "You heard both. Which one sounds better to you?"
INTRO = ("## Blind listening test\nYou will hear {n} pairs of clips, **A** and **B**: the same sentence and "
         "voice, spoken by the two Kokoro releases in a random order that nobody shows you. Play both, then "
         "pick the one you prefer (or say you have no preference). At the end we reveal which was which.")


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
    message: str = ""
    reveal: Optional[pd.DataFrame] = None
    tally: str = ""
    refused: bool = False  # a refused vote changes only the message
    stuck: bool = False  # no trial can be shown: only a new session can go on


def render_listening_tab(test: ListeningTest) -> None:
    with gr.Column(elem_id="listen-panel"):
        _layout_and_events(test)


def _layout_and_events(test: ListeningTest) -> None:
    gr.Markdown(INTRO.format(n=test.book.trials))
    session_id, trial_number = gr.State(None), gr.State(0)
    start = gr.Button("Start a listening session", variant="primary", elem_id="listen-start")
    with gr.Column(visible=False, elem_id="listen-trial") as trial_box:
        progress = gr.Markdown(elem_id="listen-progress")
        note = gr.Markdown(elem_id="listen-note", elem_classes="kab-banner")
        sentence = gr.Markdown(elem_id="listen-sentence")
        with gr.Row():
            clip_a, clip_b = (gr.Audio(label=label, type="filepath", interactive=False, editable=False, buttons=[],
                                       waveform_options=gr.WaveformOptions(show_recording_waveform=False),
                                       elem_id=f"listen-{label.lower()}") for label in ("A", "B"))
        status = gr.Markdown(LOCKED, elem_id="listen-status")
        with gr.Row():
            buttons = [gr.Button(text, interactive=False, elem_id=elem_id) for _, text, elem_id in VOTES]
        comment = gr.Textbox(label="Comment (optional)", max_lines=3, elem_id="listen-comment")
    message = gr.Markdown(elem_id="listen-message", elem_classes="kab-error")
    with gr.Column(visible=False, elem_id="listen-reveal") as reveal_box:
        tally = gr.Markdown(elem_id="listen-tally")
        reveal = gr.Dataframe(interactive=False, wrap=True, elem_id="listen-reveal-table")

    screen = [session_id, trial_number, trial_box, progress, sentence, note, clip_a, clip_b, status, *buttons,
              comment, message, reveal_box, tally, reveal, start]
    # clips are made on demand; a few sessions may wait for them at once (forward passes queue per release)
    start.click(lambda: _updates(start_session(test)), None, screen, api_visibility="private",
                concurrency_limit=4, concurrency_id="listening")
    for (choice, _, _), button in zip(VOTES, buttons):
        button.click(lambda sid, number, text, choice=choice: _updates(cast_vote(test, sid, number, choice, text)),
                     [session_id, trial_number, comment], screen, api_visibility="private",
                     concurrency_limit=4, concurrency_id="listening")
    for clip, player in (("A", clip_a), ("B", clip_b)):
        for event, listener in (("play", player.play), ("pause", player.pause), ("end", player.stop)):
            listener(partial(_heard, test, clip=clip, event=event), [session_id, trial_number], [status, *buttons],
                     api_visibility="private", show_progress="hidden", concurrency_limit=None)


def start_session(test: ListeningTest) -> Screen:
    try:
        session = test.book.start()
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


def heard(test: ListeningTest, session_id: Optional[str], trial_number: int, clip: str, event: str) -> bool:
    """The browser played, paused or finished clip A or B; returns whether the vote is open."""
    if not session_id:
        return False
    try:
        return test.book.report(session_id, trial_number, clip, event)
    except KokoroUIError:  # an expired session: the next vote says so
        return False


def reveal_table(test: ListeningTest, session_id: str) -> tuple[pd.DataFrame, str]:
    """The session's trials as the database stored them, with which release was A and B."""
    votes = test.store.votes(session_id)
    names = {voice.id: voice.name for voice in test.manager.voices(OLD)}
    rows = [{"Trial": vote.trial, "Sentence": vote.sentence, "Voice": names.get(vote.pair, vote.pair),
             "A was": vote.a_release, "B was": vote.b_release, "You chose": CHOICE_WORDS[vote.choice],
             "You preferred": vote.preferred_release or "no preference"} for vote in votes]
    counts = {release: sum(vote.preferred_release == release for vote in votes) for release in (NEW, OLD)}
    ties = sum(vote.preferred_release is None for vote in votes)
    tally = (f"### Thank you! Here is which was which.\nYou preferred **{NEW}** {_times(counts[NEW])}, "
             f"**{OLD}** {_times(counts[OLD])}, and had no preference {_times(ties)}.")
    return pd.DataFrame(rows), tally


def _trial_screen(test: ListeningTest, session_id: str) -> Screen:
    try:
        clips = test.current_clips(session_id)
        if clips is None:
            table, tally = reveal_table(test, session_id)
            return Screen(session_id, 0, reveal=table, tally=tally)
    except KokoroUIError as error:  # votes so far are stored; the trial cannot be shown
        return Screen(session_id, 0, message=f"The clips could not be made: {error}", stuck=True)
    return Screen(session_id, clips.number, progress=f"### Trial {clips.number} / {clips.total}",
                  sentence=f"**Voice:** {clips.voice_name}  \n**Sentence:** {clips.sentence}", note=clips.noise_note,
                  clip_a=clips.a_path, clip_b=clips.b_path)


def _heard(test: ListeningTest, session_id: Optional[str], trial_number: int, clip: str, event: str) -> list:
    votable = heard(test, session_id, trial_number, clip, event)
    return [UNLOCKED if votable else LOCKED] + [gr.update(interactive=votable)] * len(VOTES)


def _updates(screen: Screen) -> list:
    """A `Screen` as updates for the tab's components, in `render_listening_tab`'s order."""
    keep = gr.skip()
    if screen.refused:
        return [keep] * (10 + len(VOTES)) + [screen.message] + [keep] * 4  # only `message` changes
    finished = screen.reveal is not None
    closed = [gr.update(interactive=False)] * len(VOTES)
    start = gr.update(value="Start a new session" if finished else "Start over with a new session",
                      variant="primary" if finished else "secondary")
    trial_shown = not (finished or screen.stuck)
    return [screen.session_id, screen.trial_number, gr.update(visible=trial_shown), screen.progress, screen.sentence,
            gr.update(value=screen.note, visible=bool(screen.note)), screen.clip_a, screen.clip_b, LOCKED, *closed,
            "", screen.message, gr.update(visible=finished), screen.tally, screen.reveal if finished else keep, start]


def _times(count: int) -> str:
    return "once" if count == 1 else f"{count} times"
