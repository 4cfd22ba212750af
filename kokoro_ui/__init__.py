"""Kokoro A/B: hear, see and measure Kokoro v0.19 against Kokoro v1.0.

Layers point one way: ``ui`` / ``api`` -> services (``manager``, ``metrics``, ...) ->
``builds`` (one sub-package per release) -> the ``kokoro`` package.
"""
