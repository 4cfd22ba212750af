"""Kokoro A/B: hear, see and measure Kokoro v0.19 against Kokoro v1.0.

Layers point one way: ``ui`` / ``api`` -> services (``manager``, ``metrics``, ...) ->
``builds`` (one sub-package per release) -> the ``kokoro`` package.
"""

import os

# PyTorch puts every tensor of 2 MB or more in transparent huge pages when this is set before
# its first allocation, so it is set here, ahead of any module of ours that imports torch.
# Why and what it measures: `kokoro_ui.builds.memory`. Set it to 0 to turn it off.
os.environ.setdefault("THP_MEM_ALLOC_ENABLE", "1")
