"""`python -m kokoro_ui.bench`: timing of the app's streaming path against the raw model, in one run."""
