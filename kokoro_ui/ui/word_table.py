"""The word view's HTML: a table of written words with a play control per row, and the row player.

The table is one `gr.HTML`; each row's play control is a real `<button>` (Enter and Space work)
whose click `TABLE_JS` hands to the server as a `click` event with the row's number. The server
cuts that word from both sides' audio (`word_view.RunWords.clips`) and answers with the player's
HTML: two short `<audio>` clips as data URLs, which `PLAYER_JS` plays one after the other, v0.19
first, marking the row while they play. Everything a user typed is escaped.
Boundary: rows come from `word_view`; this module only draws them.
"""

import base64
import html
import time
from typing import Optional, Sequence

import numpy as np

from kokoro_ui.outputs.audio_formats import encode
from kokoro_ui.ui import views
from kokoro_ui.outputs.word_view import SpokenWord, WordRow

NOTHING_TIMED = ("Neither release said any word of this text (each panel says why), so there is "
                 "nothing to compare word by word.")

# Delegated, so one listener serves every row however often the table is redrawn.
TABLE_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button.kab-play');
  if (button) trigger('click', {row: Number(button.dataset.row)});
});
"""

# Plays the clips in order each time the server sends new ones; the row is marked while they play.
PLAYER_JS = """
watch('value', () => {
  const clips = [...element.querySelectorAll('audio.kab-clip')];
  const player = element.querySelector('.kab-player');
  if (!player) return;
  const row = document.querySelector(`#word-view tr[data-row="${player.dataset.row}"]`);
  document.querySelectorAll('#word-view tr.kab-playing').forEach((tr) => tr.classList.remove('kab-playing'));
  if (row) row.classList.add('kab-playing');
  const playFrom = (n) => {
    if (n >= clips.length) { if (row) row.classList.remove('kab-playing'); return; }
    clips[n].addEventListener('ended', () => playFrom(n + 1), {once: true});
    clips[n].play().catch(() => playFrom(n + 1));
  };
  playFrom(0);
});
"""


def word_table_html(rows: Sequence[WordRow], left_label: str, right_label: str) -> str:
    """One row per written word; rows whose pronunciations differ are marked (colour and a ≠)."""
    if not rows:
        return f"<p class='kab-words-empty'>{NOTHING_TIMED}</p>"
    differing = sum(not row.same for row in rows)
    left, right = html.escape(left_label), html.escape(right_label)
    body = "".join(_row_html(number, row, left, right) for number, row in enumerate(rows))
    return (f"<p>{differing} of {len(rows)} words sound different (marked ≠).</p>"
            + views.scroll_region("Words of both releases, side by side", (
                f"<table><thead><tr><th scope='col'>word</th><th scope='col'>{left}</th><th scope='col'>{right}</th>"
                f"<th scope='col'>{left} ms</th><th scope='col'>{right} ms</th><th scope='col'>≠</th>"
                f"<th scope='col'>hear</th></tr></thead><tbody>{body}</tbody></table>")))


def _row_html(number: int, row: WordRow, left: str, right: str) -> str:
    word = html.escape(row.word)
    label = html.escape(f"Play “{row.word}”: {left} then {right}", quote=True)
    return (f"<tr data-row='{number}' class='{'same' if row.same else 'diff'}'><td>{word}</td>"
            f"{_phonemes(row.left)}{_phonemes(row.right)}{_ms(row.left)}{_ms(row.right)}"
            f"<td>{'' if row.same else '≠'}</td><td><button type='button' class='kab-play' data-row='{number}' "
            f"aria-label='{label}'>▶</button></td></tr>")


def _phonemes(word: Optional[SpokenWord]) -> str:
    return "<td class='ph'>—</td>" if word is None else f"<td class='ph'>{html.escape(word.phonemes) or '—'}</td>"


def _ms(word: Optional[SpokenWord]) -> str:
    return "<td>—</td>" if word is None else f"<td>{word.duration_ms}</td>"


def player_html(number: int, row: WordRow, clips: tuple[Optional[np.ndarray], Optional[np.ndarray]],
                left_label: str, right_label: str) -> str:
    """The row's clips, v0.19's first; `data-take` makes each press a new value, so a replay plays too."""
    audios = "".join(
        f"<span class='kab-clip-label'>{html.escape(label)}</span>"
        f"<audio class='kab-clip' data-side='{html.escape(label, quote=True)}' controls preload='auto' "
        f"src='data:audio/wav;base64,{base64.b64encode(encode(audio, 'wav')).decode('ascii')}'></audio>"
        for label, audio in zip((left_label, right_label), clips) if audio is not None)
    return (f"<div class='kab-player' data-row='{number}' data-take='{time.monotonic_ns()}'>"
            f"<strong>{html.escape(row.word)}</strong> {audios}</div>")
