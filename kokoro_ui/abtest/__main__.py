"""``python -m kokoro_ui.abtest render``: make every trial clip of the listening study ahead of time.

Renders each sentence (``KOKORO_UI_LISTENING_SENTENCES``) by each voice pair
(``KOKORO_UI_LISTENING_VOICES``) in each release, at the study's speed
(``KOKORO_UI_LISTENING_SPEED``), into the clip bank (``KOKORO_UI_CLIP_BANK``), with the weights and
backend the app would use, and the attention trial's clips (each pair's v1.0 voice saying what
``KOKORO_UI_LISTENING_MODE``'s attention trial may ask, unless ``KOKORO_UI_ATTENTION_CHECK`` is
off). Clips already there are kept, so an interrupted run resumes; a change of weights or voices
files new clips under a new key. With a full bank, listeners wait for no
forward pass (``/health`` shows each release's count).
"""

import argparse
import logging
import sys

from kokoro_ui.abtest.attention import instructions
from kokoro_ui.abtest.bank import ClipBank, render
from kokoro_ui.abtest.material import NEW, OLD, load_sentences, voice_pairs
from kokoro_ui.abtest.persistence import clip_bank_folder
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import ModelManager
from kokoro_ui.config.space_config import load_settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kokoro_ui.abtest", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("render", help="render every trial clip the clip bank lacks")
    make.add_argument("--releases", default=f"{NEW},{OLD}", help="comma-separated (default: both)")
    make.add_argument("--weights", help="auto | hub | packaged | synthetic | a weights folder (default: the app's)")
    make.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        settings = load_settings(weights=args.weights)
        manager = ModelManager(settings)
        releases = [manager.resolve_version(name) for name in args.releases.split(",") if name.strip()]
        done = render(manager, ClipBank(clip_bank_folder(settings)), load_sentences(settings.listening_sentences),
                      voice_pairs(manager, settings.listening_voices), settings.listening_speed, releases,
                      progress=not args.quiet,
                      attention_texts=instructions(settings.listening_mode) if settings.attention_check else ())
    except KokoroUIError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"clip bank {done.folder}: {done.made} clips rendered, {done.kept} already there")
    for release in releases:
        info = manager.get_model(release).info
        if not info.real_speech:
            print(f"note: Kokoro {release} runs on synthetic weights ({info.weights}): its clips are noise, not speech")
    return 0


if __name__ == "__main__":
    sys.exit(main())
