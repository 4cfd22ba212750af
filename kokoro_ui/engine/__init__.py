"""The machinery both releases share: text in, a stream of `Chunk`s out.

`release` runs a release's front end and network behind one streaming call, `chunk` is what it
streams, `pacing` names how a text was cut into passes (and makes the opt-in fast-first cut), `phoneme_input` lets given phonemes bypass the
front end, `memory` gives a long pass's memory back.
What makes one release differ from the other is handed in by `kokoro_ui.builds`; where weights
come from is `kokoro_ui.weights`', how a pass runs `kokoro_ui.backends`'.
"""
