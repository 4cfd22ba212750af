"""`WavPlayer`: `gr.Audio` for WAV files this app wrote itself, served as they are.

For every file a `gr.Audio` output returns, Gradio runs `ffprobe` (a subprocess on the server's
cores) to check that a browser can play it; what that cost is in README, *Under load*. These files
are 16-bit PCM WAV, which every browser plays, so the check is skipped for `.wav` paths; anything
else goes through `gr.Audio`'s own handling.
"""

from pathlib import Path
from typing import Any

import gradio as gr
from gradio.data_classes import FileData


class WavPlayer(gr.Audio):
    is_template = True  # Gradio's way to say: draw me with my parent's (gr.Audio's) front end

    def postprocess(self, value: Any) -> Any:
        if isinstance(value, (str, Path)) and Path(value).suffix.lower() == ".wav" and Path(value).exists():
            return FileData(path=str(value), orig_name=Path(value).name)
        return super().postprocess(value)
