"""HTML and tables the comparison shows. Everything a user typed is escaped: text is never markup."""

import html
from typing import Optional

import numpy as np
import pandas as pd

from kokoro_ui.engine.chunk import Chunk
from kokoro_ui.engine.pacing import FAST_FIRST
from kokoro_ui.engine.release import ModelInfo
from kokoro_ui.services.manager import ModelStatus
from kokoro_ui.services.metrics import COLUMNS, RunMetrics

RUN_COLUMNS = ["version", "voice", "mode", "backend", "weights", "loaded_first", "characters", "tokens",
               "chunks", "ttfa_s", "total_s", "audio_s", "rtf", "decoding", "error"]


def int16_audio(audio: np.ndarray) -> np.ndarray:
    """Float audio as int16 for streaming: Gradio peak-normalises float chunks one by one."""
    return (np.clip(audio, -1.0, 1.0) * 32767).astype(np.int16)


def chunks_html(chunks: list[Chunk], label: str) -> str:
    """The chunks so far, in a scrolling box named `label` (e.g. "v0.19 chunks") for screen readers."""
    items = "".join(
        f"<li><span class='gr'>{html.escape(chunk.graphemes)}</span><br>"
        f"<span class='ph'>/{html.escape(chunk.phonemes)}/</span></li>"
        for chunk in chunks
    )
    return scroll_region(label, f"<ol class='kab-chunks-list'>{items}</ol>") if chunks else ""


def scroll_region(label: str, inner: str) -> str:
    """A box that scrolls (CSS `.kab-scroll`): focusable, so keyboard users can scroll it too, and named."""
    return f"<div class='kab-scroll' tabindex='0' role='region' aria-label='{html.escape(label)}'>{inner}</div>"


def status_markdown(version: str, chunks: int, result: Optional[RunMetrics]) -> str:
    if result is None:
        return f"**{version}** — streaming… {chunks} chunk{'s' if chunks != 1 else ''} so far"
    if result.error:
        return f"**{version}** — ⚠️ {escape_markdown(result.error)}"
    turns = " (the other side's turns included)" if result.mode == "fair" else ""
    return (f"**{version}** — {result.chunks} chunks, first audio after {result.ttfa_s:.2f} s{turns}, "
            f"RTF {result.rtf:.2f}" + (" (model loaded first)" if result.loaded_first else "")
            + (f" · decoded in {result.decoding}" if result.decoding else "")
            + (f" · text cut: {FAST_FIRST}" if result.rendering == FAST_FIRST else ""))


def waiting_markdown(status: ModelStatus) -> str:
    """A run's status line while it waits for its release to load."""
    if status.state == "loading":
        return f"**{status.version}** — waiting: {status.progress or 'loading'}…"
    return status_markdown(status.version, 0, None)


TEXT_CUT_NOTE = (f"✂️ **Text cut for fast first audio** (`KOKORO_UI_FAST_FIRST`, {FAST_FIRST}): each release "
                 "speaks the text's first 10–24 characters as a pass of its own, so you hear a phrase end "
                 "(a longer word, a falling pitch, a pause) that neither release makes there.")


def weights_banner(infos: list[ModelInfo], fast_first: bool = False) -> str:
    """Which weights each loaded release runs on; a warning first when any of them is noise, and a note
    when Compare cuts the text for fast first audio (the opt-in setting)."""
    noisy = [info.version for info in infos if not info.real_speech]
    lines = [TEXT_CUT_NOTE] if fast_first else []
    if noisy:
        names = " and ".join(noisy)
        verb = "run" if len(noisy) > 1 else "runs"
        lines.append(f"⚠️ **{names} {verb} on synthetic weights** (seeded random numbers, not the real model): "
                     "the audio is noise, not speech. Only the timings are meaningful.")
    lines.extend(f"{info.version} weights: {escape_markdown(info.weights)} · backend {info.backend}"
                 + (f" ({escape_markdown(info.backend_note)})" if info.backend_note else "")
                 for info in infos if info.real_speech)
    return "\n\n".join(lines)


def runs_frame(results: list[RunMetrics]) -> pd.DataFrame:
    return pd.DataFrame([{column: getattr(result, column) for column in RUN_COLUMNS} for result in results],
                        columns=RUN_COLUMNS).round(3)


def history_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS).round(3)


def escape_markdown(text: str) -> str:
    return html.escape(text).replace("*", "\\*").replace("_", "\\_").replace("`", "\\`").replace("[", "\\[")
