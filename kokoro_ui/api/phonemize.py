"""`POST /dev/phonemize`: a text's phonemes and token ids as one release would speak it.

Kokoro-FastAPI's route and shape (`{"text", "language"}` -> `{"phonemes", "tokens"}`), plus
`version`. The release's own front end phonemizes the whole text (v0.19: its normaliser and
espeak-ng; v1.0: misaki through `KPipeline`), chunk by chunk; the chunks' phonemes are joined by
spaces, which `POST /dev/generate_from_phonemes` takes back as they are. `tokens` are the ids the
network gets for them, with the pad (0) at each end, as Kokoro-FastAPI documents them. No forward
pass runs, so no place in the release's queue is taken; the release is loaded for its front end.
"""

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from kokoro_ui.api.schemas import ErrorBody, Phonemes, PhonemizeBody
from kokoro_ui.errors import UnsupportedLanguageError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.services.validation import (InvalidInputError, validate_lang, validate_release_lang, validate_text,
                                  validate_version)


def add_phonemize_route(router: APIRouter, manager: ModelManager) -> None:
    @router.post("/dev/phonemize", responses={400: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    async def phonemize(body: PhonemizeBody) -> Phonemes:
        """The phonemes and token ids of `text` in `language`, as `version` (default v1.0) would speak it."""
        return await run_in_threadpool(phonemes_of, manager, body)


def phonemes_of(manager: ModelManager, body: PhonemizeBody) -> Phonemes:
    try:
        text = validate_text(body.text, manager.settings.max_chars)
    except InvalidInputError as error:  # this route calls it 'text', as the validation layer does
        raise InvalidInputError(error.field, str(error), param="text") from None
    version = validate_version(manager, body.version or manager.resolve_version())
    lang = validate_lang(body.language, "language") or "a"
    release = manager.get_model(version)
    validate_release_lang(release.frontend.languages, lang, version, "language")
    try:
        phonemes = " ".join(segment.phonemes for segment in release.frontend.segments(text, lang))
    except UnsupportedLanguageError as error:  # its G2P is not installed here
        raise InvalidInputError("language", str(error)) from None
    if not phonemes:
        raise InvalidInputError("text", f"Kokoro {version} found nothing it can say in this text.", param="text")
    return Phonemes(phonemes=phonemes, tokens=[0, *release.frontend.tokenize(phonemes), 0], version=version)
