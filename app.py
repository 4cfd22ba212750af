"""Start Kokoro A/B: ``python app.py [--weights auto|hub|synthetic|FOLDER] [--host H] [--port P]``."""

import argparse
import logging

from typing import Mapping

from kokoro_ui.builds import BUILDS, Build
from kokoro_ui.server import serve
from kokoro_ui.space_config import load_settings


def main(builds: Mapping[str, Build] = BUILDS) -> None:
    """`builds`: the releases offered; only the Space rehearsal test (tests/test_space_rehearsal.py) gives others."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--weights", help="auto (default) | hub | packaged | synthetic | a weights folder")
    parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, help="port (default 7860)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    logging.getLogger("kokoro_ui").setLevel(logging.INFO)  # start-up and preload lines
    settings = load_settings(weights=args.weights, host=args.host, port=args.port)  # see README: Settings
    print(f"Kokoro A/B on http://{settings.host}:{settings.port} (weights: {settings.weights})", flush=True)
    serve(settings, builds)


if __name__ == "__main__":
    main()
