"""One process serves everything: the HTTP API routes and the Gradio app mounted at ``/``.

Routes are added to our own FastAPI app before Gradio is mounted; routes added after the
mount would be shadowed by Gradio's catch-all.
"""

import gradio as gr
import uvicorn
from fastapi import FastAPI

from kokoro_ui.api import create_router
from kokoro_ui.manager import ModelManager
from kokoro_ui.settings import Settings
from kokoro_ui.space_config import preload
from kokoro_ui.ui.app import CSS, build_ui


def create_app(manager: ModelManager) -> FastAPI:
    app = FastAPI(title="Kokoro A/B", docs_url="/docs")
    app.include_router(create_router(manager))
    demo = build_ui(manager)
    return gr.mount_gradio_app(app, demo, path="/", css=CSS, footer_links=["api", "gradio"])


def serve(settings: Settings) -> None:
    manager = ModelManager(settings)
    preload(manager)  # the releases `settings.preload` names, in the background
    uvicorn.run(create_app(manager), host=settings.host, port=settings.port, log_level="warning")
