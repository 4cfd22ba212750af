"""The HTTP API, served beside the Gradio app by the same process.

OpenAI-compatible speech with Kokoro-FastAPI's fields (`speech.py`) and its download links
(`downloads.py`), Kokoro-FastAPI's development routes (`phonemize.py`, `from_phonemes.py`, `captioned.py`) and
its routes this app does not provide (`not_provided.py`), voice mixes as packs (`combine.py`,
Kokoro-FastAPI's route), what the API offers and its state (`catalog.py`), the contract as pydantic schemas (`schemas.py`), and errors in OpenAI's shape
(`openai_errors.py`). Synthesis itself is `kokoro_ui.services.synthesis`'s, shared with the Gradio named API.
"""

from fastapi import APIRouter

from kokoro_ui.api.captioned import add_captioned_route
from kokoro_ui.api.catalog import add_catalog_routes
from kokoro_ui.api.combine import add_combine_route
from kokoro_ui.api.downloads import DownloadStore, add_download_route
from kokoro_ui.api.openai_errors import OpenAIRoute
from kokoro_ui.api.from_phonemes import add_from_phonemes_route
from kokoro_ui.api.not_provided import add_not_provided_routes
from kokoro_ui.api.phonemize import add_phonemize_route
from kokoro_ui.api.speech import add_speech_route
from kokoro_ui.services.manager import ModelManager


def create_router(manager: ModelManager) -> APIRouter:
    router = APIRouter(route_class=OpenAIRoute)
    downloads = DownloadStore(manager.settings.download_ttl_s, manager.settings.download_max_mb * 2**20)
    add_speech_route(router, manager, downloads)
    add_download_route(router, downloads)
    add_phonemize_route(router, manager)
    add_from_phonemes_route(router, manager)
    add_captioned_route(router, manager)
    add_catalog_routes(router, manager)
    add_not_provided_routes(router)
    add_combine_route(router, manager)
    return router
