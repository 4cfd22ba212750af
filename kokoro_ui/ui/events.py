"""Every Gradio event through one door: counted by surface and outcome, refusals logged in one line.

`instrument(demo, telemetry)` wraps each event's function once the page is built. A call is
the named API's (`gradio_api`) when `gradio_client` made it, else the page's (`ui`). A refused
request (`gr.Error`, or one of our `KokoroUIError`s a handler let through, which becomes one)
logs one line, what was refused and why, at most `errors.LOGGED_CHARS` of it, and no
traceback: Gradio prints one for every `gr.Error` unless told not to. Anything else is a
fault and keeps Gradio's traceback. The handlers themselves stay plain functions.
"""

import functools
import inspect
import logging
from typing import Callable

import gradio as gr
from gradio.context import LocalContext

from kokoro_ui.services.admission import BusyError
from kokoro_ui.errors import KokoroUIError, for_log
from kokoro_ui.services.telemetry import Telemetry

log = logging.getLogger(__name__)


def instrument(demo: gr.Blocks, telemetry: Telemetry) -> None:
    """Wrap every event of the built page, and the input checks of the components they read."""
    quieted: set[int] = set()
    for block_fn in demo.fns.values():
        if block_fn.fn is None:
            continue
        block_fn.fn = _counted(block_fn.fn, block_fn.api_name or block_fn.name or "event", telemetry)
        for component in block_fn.inputs:
            if id(component) not in quieted and not component.stateful:
                quieted.add(id(component))
                component.preprocess = _quiet_preprocess(component, telemetry)


def _quiet_preprocess(component: gr.components.Component, telemetry: Telemetry) -> Callable:
    """The component's own input check (a slider's range, a dropdown's choices) refuses in one line too.

    Gradio runs it before the event's function, so the refusal is counted here. (Sessions share the
    page's component objects; one whose props an event changed is a new object, checked as Gradio does.)"""
    preprocess = component.preprocess

    def checked(payload):
        try:
            return preprocess(payload)
        except gr.Error as error:
            surface = _surface()
            error.print_exception = False
            log.info("refused %s input %r: %s", surface, for_log(component.label or component.elem_id or "", 40),
                     for_log(error.message))
            telemetry.count(surface, "refused")
            raise
    return checked


def _surface() -> str:
    request = LocalContext.request.get(None)
    agent = request.headers.get("user-agent", "") if request is not None and request.headers else ""
    return "gradio_api" if "gradio_client" in agent else "ui"


def _refusal(error: Exception, event: str, surface: str) -> tuple[gr.Error, str]:
    """`error` as the `gr.Error` the user sees, logged once without a traceback; and its outcome."""
    cause = error if isinstance(error, KokoroUIError) else error.__context__  # `raise gr.Error(...) from None` keeps it
    refusal = error if isinstance(error, gr.Error) else gr.Error(str(error))
    refusal.print_exception = False
    log.info("refused %s /%s: %s", surface, event, for_log(refusal.message))
    return refusal, "busy" if isinstance(cause, BusyError) else "refused"


def _counted(fn: Callable, event: str, telemetry: Telemetry) -> Callable:
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def stream(*args, **kwargs):
            surface, outcome = _surface(), "error"
            try:
                yield from fn(*args, **kwargs)
                outcome = "ok"
            except (gr.Error, KokoroUIError) as error:
                refusal, outcome = _refusal(error, event, surface)
                raise refusal from None
            except GeneratorExit:  # Stop pressed, or the tab closed
                outcome = "stopped"
                raise
            finally:
                telemetry.count(surface, outcome)
        return stream

    if inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn):
        return fn  # none of ours; counted here they would need a door of their own

    @functools.wraps(fn)
    def call(*args, **kwargs):
        surface, outcome = _surface(), "error"
        try:
            result = fn(*args, **kwargs)
            outcome = "ok"
            return result
        except (gr.Error, KokoroUIError) as error:
            refusal, outcome = _refusal(error, event, surface)
            raise refusal from None
        finally:
            telemetry.count(surface, outcome)
    return call
