"""The v1.0 front end: the `kokoro` package's own `KPipeline`, run without a model.

A quiet ``KPipeline(lang, model=False)`` does misaki G2P and v1.0's chunking (split at 510
phonemes, preferring ``!.?…``, then ``:;``, then ``,—``); the model then runs exactly what
`KPipeline.infer` would: the phonemes' vocabulary ids, styled by ``pack[len(phonemes) - 1]``.
misaki reads pronunciation overrides (``[word](/phonemes/)``) itself; an override written in
espeak-ng's notation (v0.19's) is first rewritten into misaki's (`kokoro_ui.phonetics.overrides`).
Each segment also says which written words its misaki tokens say (`word_plan`).
"""

from typing import Iterator

from kokoro import KPipeline
from kokoro.pipeline import LANG_CODES

from kokoro_ui.phonetics import overrides
from kokoro_ui.builds.v1_0.languages import G2P_LOCK, pipeline
from kokoro_ui.builds.v1_0.word_plan import TokenLocator
from kokoro_ui.engine.release import Segment


class V1FrontEnd:
    languages = dict(LANG_CODES)

    def __init__(self, hub_repo: str, vocab: dict[str, int]):
        self._hub_repo = hub_repo
        self._vocab = vocab
        self._pipelines: dict[str, KPipeline] = {}
        self._lock = G2P_LOCK  # one G2P at a time, process-wide: the pipelines are shared

    def segments(self, text: str, lang: str) -> Iterator[Segment]:
        """Segments of `text`; the language's pipeline is made now, so a missing G2P fails early.

        English segments carry their word plan (misaki's tokens); other languages' have none.
        """
        if "](" in text:
            text, _ = overrides.rewrite(text, "v1.0", lang, self._vocab)
        return self._segments(self._pipeline(lang)(text), TokenLocator(text, self._vocab))

    def _segments(self, results: Iterator[KPipeline.Result], locator: TokenLocator) -> Iterator[Segment]:
        while True:
            with self._lock:
                result = next(results, None)
            if result is None:
                return
            words = locator.plan(result.tokens, result.phonemes) if result.tokens else None
            yield Segment(result.graphemes, result.phonemes, words)

    def tokenize(self, phonemes: str) -> list[int]:
        return [self._vocab[p] for p in phonemes if p in self._vocab]

    def style_row(self, phonemes: str, token_ids: list[int]) -> int:
        return len(phonemes) - 1

    def _pipeline(self, lang: str) -> KPipeline:
        with self._lock:
            if lang not in self._pipelines:
                self._pipelines[lang] = self._new_pipeline(lang)
            return self._pipelines[lang]

    def _new_pipeline(self, lang: str) -> KPipeline:
        return pipeline(self._hub_repo, lang)  # built once per process; says why if it cannot be
