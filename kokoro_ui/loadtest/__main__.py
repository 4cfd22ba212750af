"""`python -m kokoro_ui.loadtest`: many clients at once against a running app, on loopback only.

Starts the app (both releases preloaded) unless `--url` and `--pid` name one already running,
then runs N HTTP API clients (streamed WAV) and M Gradio clients (/synthesize) at once, each
sending `--requests` requests of a different length. Prints completed, rejected with 429,
failed, p50/p95 time to first audio, whether every response's audio length fits its own text,
and the server's memory: idle, what the longest request adds on its own to each release, the
peak under load against the sum of those (each release runs one pass at a time, so more
clients should not mean more memory), and memory after the load.
Bounded in count and in time (`--deadline`).

``--soak SECONDS`` runs mixed traffic for that long instead, reporting every minute
(`soak`). ``--listening`` runs the listening mode instead (`listening`): listeners in real
Chromium contexts through whole blind sessions from a full clip bank.
"""

import argparse
import sys

from kokoro_ui.loadtest import burst, listening, soak
from kokoro_ui.loadtest.common import free_port


def main() -> int:
    args = _parser().parse_args()
    if args.soak:
        return soak.run(args)
    if args.listening:
        if args.url:
            raise SystemExit("loadtest: --listening starts its own app (it sets the study's sentences and voices)")
        return listening.run(args)
    return burst.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kokoro_ui.loadtest", description=__doc__.splitlines()[0])
    parser.add_argument("--api-clients", type=int, default=16)
    parser.add_argument("--gradio-clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=1, help="requests per client")
    parser.add_argument("--deadline", type=float, default=600, help="seconds before no new request starts")
    parser.add_argument("--url", help="an app already running on loopback (then also give --pid)")
    parser.add_argument("--pid", type=int, help="that app's process id, for its memory")
    parser.add_argument("--port", type=int, default=free_port(), help="port for the app this starts")
    soak = parser.add_argument_group("soak mode")
    soak.add_argument("--soak", type=float, metavar="SECONDS", help="mixed traffic for this long, a report a minute")
    soak.add_argument("--api-clients-soak", type=int, default=3, help="HTTP API clients during the soak")
    listening = parser.add_argument_group("listening mode")
    listening.add_argument("--listening", action="store_true", help="listeners in Chromium through whole sessions")
    listening.add_argument("--listeners", type=int, default=10, help="listeners in Chromium")
    listening.add_argument("--http-sessions", type=int, default=0,
                           help="sessions at once over HTTP through the study driver, beside the browsers")
    listening.add_argument("--http-flat-out", action="store_true",
                           help="the HTTP sessions vote as soon as they may, without listening to the clips: a "
                                "stress test of the store, every session in lockstep")
    listening.add_argument("--trials", type=int, default=10, help="trials per session")
    listening.add_argument("--sentences", type=int, default=5, help="the study's first N sentences")
    listening.add_argument("--voices", default="af_bella,am_adam", help="v0.19 voice ids of the pairs")
    listening.add_argument("--playback-rate", type=float, default=4.0,
                           help="how fast the pages and the HTTP sessions play clips (the server sees the same "
                                "events, sooner)")
    listening.add_argument("--browser-nice", type=int, default=19,
                           help="CPU niceness of the browsers: listeners stand for other people's machines, so they "
                                "yield the cores to the server (0: browsers and server share the cores equally)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
