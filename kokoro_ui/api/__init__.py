"""The HTTP API, served beside the Gradio app by the same process.

OpenAI-compatible speech (`speech.py`), what the API offers and its state (`catalog.py`), voice
mixes as packs (`combine.py`, Kokoro-FastAPI's route), the
contract as pydantic schemas (`schemas.py`), and errors in OpenAI's shape (`errors.py`).
Synthesis itself is `kokoro_ui.speech`'s, shared with the Gradio named API.
"""

from fastapi import APIRouter

from kokoro_ui.api.catalog import add_catalog_routes
from kokoro_ui.api.combine import add_combine_route
from kokoro_ui.api.errors import OpenAIRoute
from kokoro_ui.api.speech import add_speech_route
from kokoro_ui.manager import ModelManager


def create_router(manager: ModelManager) -> APIRouter:
    router = APIRouter(route_class=OpenAIRoute)
    add_speech_route(router, manager)
    add_catalog_routes(router, manager)
    add_combine_route(router, manager)
    return router
