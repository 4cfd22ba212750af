"""What a run's chunks become for people and files: encoded audio (`audio_formats`), captions, the word view's rows,
loudness; and the one key under which rendered audio is kept (`rendering`).

Outputs take finished `Chunk`s and produce bytes or rows; they run no forward pass.
"""
