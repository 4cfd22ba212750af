"""Kokoro A/B: hear, see and measure Kokoro v0.19 against Kokoro v1.0.

Folders follow the data flow, and imports point one way: surfaces (``ui``, ``api``, ``cli``) ->
services (``services``, ``abtest``, ``samples``) -> ``outputs`` -> ``builds`` (one sub-package per
release; their front ends use ``phonetics``) over ``engine`` (what the releases share) -> ``weights``
and ``backends`` -> the ``kokoro`` package. ``config`` and ``serving`` wire the process; ``bench``
and ``loadtest`` are tools.
"""
