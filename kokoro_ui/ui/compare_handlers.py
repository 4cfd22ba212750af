"""What happens when a user presses Compare: plain functions, testable without a browser.

`run_comparison` is a generator of output frames: each frame maps output names (`OUTPUTS`)
to new values, and anything it leaves out stays as it is on the page.
"""

import contextlib
import tempfile
from pathlib import Path
from typing import Any, Iterator, Optional

import gradio as gr

from kokoro_ui.outputs.captions import run_captions, srt, webvtt
from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, Chunk, joined
from kokoro_ui.services.compare import compare
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.loading import wait_for
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.metrics import History, RunMetrics
from kokoro_ui.ui import views, word_table
from kokoro_ui.services.validation import SpeechRequest, validate_lang, validate_speed, validate_text
from kokoro_ui.outputs.word_view import RunWords
from kokoro_ui.versions import VERSIONS

LEFT, RIGHT = VERSIONS  # older on the left
OUTPUTS = ("left_audio", "right_audio", "left_chunks", "right_chunks", "left_status", "right_status",
           "words", "run_table", "history_table", "csv", "ttfa_plot", "rtf_plot", "banner", "run_words", "captions")
_SIDE_OUTPUTS = {LEFT: ("left_audio", "left_chunks", "left_status"), RIGHT: ("right_audio", "right_chunks", "right_status")}


def frame(**updates) -> tuple:
    """Values for every output, in `OUTPUTS` order; those not given are left as they are."""
    unknown = set(updates) - set(OUTPUTS)
    assert not unknown, unknown
    return tuple(updates.get(name, gr.skip()) for name in OUTPUTS)


def run_comparison(manager: ModelManager, text: str, left_voice: str, right_voice: str, speed: float,
                   lang: Optional[str], mode: str, history: History) -> Iterator[tuple]:
    try:
        text = validate_text(text, manager.settings.max_chars)
        speed, lang = validate_speed(speed), validate_lang(lang)
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None
    for statuses in wait_for(manager, [LEFT, RIGHT]):  # pressed during a load: wait for it, and say so
        yield frame(left_status=views.waiting_markdown(statuses[0]), right_status=views.waiting_markdown(statuses[1]))
    try:
        events = compare(manager, [SpeechRequest(text, left_voice or "", LEFT, speed, lang),
                                   SpeechRequest(text, right_voice or "", RIGHT, speed, lang)], mode,
                         in_windows=manager.settings.stream_windows)
    except KokoroUIError as error:
        raise gr.Error(str(error)) from None
    chunks: dict[str, list[Chunk]] = {LEFT: [], RIGHT: []}
    windows: dict[str, list[Chunk]] = {LEFT: [], RIGHT: []}  # of the pass in progress
    results: dict[str, RunMetrics] = {}
    loaded = [manager.get_model(version).info for version in (LEFT, RIGHT) if manager.is_loaded(version)]
    fast_first = manager.settings.fast_first
    yield frame(banner=views.weights_banner(loaded, fast_first), left_chunks="", right_chunks="", words="",
                left_status=views.status_markdown(LEFT, 0, None), right_status=views.status_markdown(RIGHT, 0, None))
    with contextlib.closing(events):  # Stop, a closed tab or an error: both sides stop
        for event in events:
            audio_out, chunks_out, status_out = _SIDE_OUTPUTS[event.version]
            if event.chunk is not None:
                windows[event.version].append(event.chunk)
                if event.chunk.completes_pass:  # the chunk list and the words show whole passes
                    chunks[event.version].append(joined(windows[event.version]))
                    windows[event.version] = []
                yield frame(**{audio_out: (SAMPLE_RATE_HZ, views.int16_audio(event.chunk.audio)),
                               chunks_out: views.chunks_html(chunks[event.version], f"{event.version} chunks"),
                               status_out: views.status_markdown(event.version, len(chunks[event.version]), None)})
            else:
                results[event.version] = event.result
                yield frame(**{status_out: views.status_markdown(event.version, 0, event.result)})
    yield _final_frame(chunks, results, history, views.weights_banner(
        [manager.get_model(version).info for version in (LEFT, RIGHT) if manager.is_loaded(version)], fast_first))


def _final_frame(chunks: dict[str, list[Chunk]], results: dict[str, RunMetrics], history: History,
                 banner: str) -> tuple:
    """Everything at once, so an API client's final result is complete."""
    history.add_run([results[LEFT], results[RIGHT]])
    table = views.history_frame(history.rows())
    folder = Path(tempfile.mkdtemp(prefix="kokoro_ab_"))
    csv_path = history.write_csv(folder / "kokoro_ab_runs.csv")
    run_words = RunWords.of(chunks[LEFT], chunks[RIGHT])
    return frame(left_audio=None, right_audio=None,  # None, not skip: ends both audio streams
                 left_chunks=views.chunks_html(chunks[LEFT], f"{LEFT} chunks"),
                 right_chunks=views.chunks_html(chunks[RIGHT], f"{RIGHT} chunks"),
                 left_status=views.status_markdown(LEFT, len(chunks[LEFT]), results[LEFT]),
                 right_status=views.status_markdown(RIGHT, len(chunks[RIGHT]), results[RIGHT]),
                 words=word_table.word_table_html(run_words.rows, LEFT, RIGHT), run_words=run_words,
                 captions=_caption_files(chunks, folder),
                 run_table=views.runs_frame([results[LEFT], results[RIGHT]]), history_table=table,
                 csv=str(csv_path), ttfa_plot=table, rtf_plot=table, banner=banner)


def _caption_files(chunks: dict[str, list[Chunk]], folder: Path) -> Optional[list[str]]:
    """Each release's word timings as WebVTT and SRT, for the sides that said any word."""
    paths = []
    for version, side in chunks.items():
        captions = run_captions(side)
        if not captions:
            continue
        for suffix, render in ((".vtt", webvtt), (".srt", srt)):
            path = folder / f"kokoro_{version}_words{suffix}"
            path.write_text(render(captions), encoding="utf-8")
            paths.append(str(path))
    return paths or None


def play_word(run_words: Optional[RunWords], event: gr.EventData) -> Any:
    """The player's HTML for the row whose play control was pressed: that word from both sides' audio
    (or `gr.skip()`: no run yet, or a row the run does not have)."""
    row = getattr(event, "row", None)
    if run_words is None or not isinstance(row, int) or not 0 <= row < len(run_words.rows):
        return gr.skip()
    return word_table.player_html(row, run_words.rows[row], run_words.clips(row), LEFT, RIGHT)


def pair_voice(voice: str, current: str, *, manager: ModelManager, from_version: str, to_version: str) -> str:
    """The same-named voice on the other release, if it has one; otherwise keep its current voice."""
    target = manager.voices(to_version)
    try:
        paired = manager.voices(from_version).get(voice).pairs_with or voice
        return target.get(paired).id
    except KokoroUIError:
        return current


def character_count(text: str, max_chars: int) -> str:
    count = len(text or "")
    warning = " — too long" if count > max_chars else ""
    return f"{count:,} / {max_chars:,} characters{warning}"

