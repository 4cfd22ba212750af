"""Start Kokoro A/B: ``python app.py [--weights auto|hub|synthetic|FOLDER] [--host H] [--port P]``.

The port answers at once (`kokoro_ui.serving.boot`: a "starting" page) while the app imports and builds
itself in a thread; then the app takes over, and the releases go on loading in the background.
"""

import argparse
import logging
import sys
import threading
from typing import Mapping, Optional

import uvicorn

from kokoro_ui.serving.boot import BootApp
from kokoro_ui.config.space_config import listen_address

log = logging.getLogger("kokoro_ui.app")


def main(builds: Optional[Mapping] = None) -> None:
    """`builds`: the releases offered (default `BUILDS`); only the Space rehearsal test gives others."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", help="auto (default) | hub | packaged | synthetic | a weights folder")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 7860)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    logging.getLogger("kokoro_ui").setLevel(logging.INFO)  # start-up and load lines
    flags = {"weights": args.weights, "host": args.host, "port": args.port}
    host, port = listen_address(**flags)  # see README: Settings
    boot = BootApp()
    server = uvicorn.Server(uvicorn.Config(boot, host=host, port=port, log_level="warning"))
    threading.Thread(target=_build, args=(boot, server, flags, builds), name="build-app", daemon=True).start()
    print(f"Kokoro A/B on http://{host}:{port} (starting…)", flush=True)
    server.run()
    if boot.failed:
        sys.exit(f"Kokoro A/B did not start: {boot.failed}")


def _build(boot: BootApp, server: uvicorn.Server, flags: dict, builds: Optional[Mapping]) -> None:
    """Import and build the app, then hand it to `boot`; if that fails, say why and stop the server."""
    try:
        from kokoro_ui.serving.server import start_app  # torch, Gradio and both releases' code: the slow imports
        from kokoro_ui.config.space_config import load_settings

        settings = load_settings(**flags)
        log.info("weights: %s; building the app", settings.weights)
        serving = threading.Event()  # the releases load once the app serves: the page comes first
        boot.hand_over(start_app(settings, builds, serving))
        serving.set()
    except BaseException as error:  # anything: the process must not keep answering "starting" forever
        log.exception("Kokoro A/B did not start")
        boot.failed = f"{type(error).__name__}: {error}"
        server.should_exit = True


if __name__ == "__main__":
    main()
