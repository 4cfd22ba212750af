"""Kokoro A/B: hear, see and measure Kokoro v0.19 against Kokoro v1.0.

Layers point one way: surfaces (``ui``, ``api``, ``cli``) -> services (``manager``, ``speech``,
``compare``, ``abtest``, ...) -> ``builds`` (one sub-package per release) over ``engine`` (what the
releases share) -> ``weights`` and ``backends`` -> the ``kokoro`` package.
"""
