"""Load tests of a running app on loopback: ``python -m kokoro_ui.loadtest`` (see `__main__`)."""
