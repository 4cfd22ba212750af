"""What a run's chunks become for people and files: encoded audio (`audio_formats`), captions, the word view's rows.

Outputs take finished `Chunk`s and produce bytes or rows; they run no forward pass.
"""
