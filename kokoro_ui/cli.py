"""Command line: ``python -m kokoro_ui synth | phonemize | voices``.

stdout carries only what was asked for (a line per chunk or per voice), so it can be piped;
progress and errors go to stderr.
"""

import argparse
import os
import sys
from pathlib import Path
from typing import Iterator, Optional, Sequence

import numpy as np
import soundfile

from kokoro_ui.engine.chunk import SAMPLE_RATE_HZ, Chunk
from kokoro_ui.engine.release import Release
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.manager import DEFAULT_VERSION, ModelManager
from kokoro_ui.config.settings import Settings
from kokoro_ui.services.validation import (PHONEME_NOTATIONS, PhonemesRequest, SpeechRequest, validate_lang, validate_phonemes,
                                  validate_release_lang, validate_speech, validate_text, validate_version,
                                  validate_voice)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    try:  # a bad KOKORO_UI_* variable is refused like a bad argument
        return args.run(ModelManager(Settings.from_env(weights=getattr(args, "weights", None),
                                                       backend=_one_shot_backend())), args)
    except KokoroUIError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _one_shot_backend() -> Optional[str]:
    """Eager PyTorch unless KOKORO_UI_BACKEND names one: a command that ends after one text would
    start the default's minutes-long decoder build only to kill it at exit."""
    return None if os.environ.get("KOKORO_UI_BACKEND") else "torch"


def _synth(manager: ModelManager, args: argparse.Namespace) -> int:
    request = _request(manager, args)  # checked before any release loads
    if not Path(args.output).parent.is_dir():
        raise KokoroUIError(f"Cannot write {args.output}: its folder does not exist.")
    model = manager.get_model(request.version)
    print(f"Kokoro {model.info.version} weights: {model.info.weights} · backend {model.info.backend}"
          + (f" ({model.info.backend_note})" if model.info.backend_note else ""), file=sys.stderr)
    audio = []
    for chunk in _chunks(model, request):
        audio.append(chunk.audio)
        print(f"{chunk.index}\t{chunk.phonemes}\t{len(chunk.token_ids)} tokens\t"
              f"{chunk.audio_s:.2f} s audio\t{chunk.model_s:.2f} s compute")
    if not audio:
        raise KokoroUIError("Nothing to say: the text has no speakable words.")
    try:
        soundfile.write(args.output, np.concatenate(audio), SAMPLE_RATE_HZ, subtype="PCM_16")
    except (OSError, soundfile.LibsndfileError) as error:
        raise KokoroUIError(f"Cannot write {args.output}: {error}") from None
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


def _request(manager: ModelManager, args: argparse.Namespace) -> SpeechRequest | PhonemesRequest:
    """The text to say, or with --phonemes the phonemes (mapped if written in the other release's notation)."""
    if (args.text is None) == (args.phonemes is None):
        raise KokoroUIError("Give a text to say or --phonemes, not both (and not neither).")
    if args.text is not None:
        return validate_speech(manager, args.text, args.voice, args.version, args.speed, args.lang)
    request = validate_phonemes(manager, args.phonemes, args.voice, args.version, args.speed,
                                args.phoneme_notation, args.lang)
    if request.notation:
        dropped = " ".join(request.dropped) or "nothing"
        print(f"phonemes mapped from {request.notation} to {request.version}'s notation; dropped: {dropped}",
              file=sys.stderr)
    return request


def _chunks(model: Release, request: SpeechRequest | PhonemesRequest) -> Iterator[Chunk]:
    """The release's chunks for a checked text or phoneme request."""
    if isinstance(request, PhonemesRequest):
        return model.stream_phonemes(request.phonemes, request.voice, request.speed)
    return model.stream(request.text, request.voice, request.speed, request.lang)


def _phonemize(manager: ModelManager, args: argparse.Namespace) -> int:
    version = validate_version(manager, args.version)
    text, lang = validate_text(args.text, manager.settings.max_chars), validate_lang(args.lang)
    voice = validate_voice(manager, args.voice, version) if args.voice is not None else None
    model = manager.get_model(version)
    lang = validate_release_lang(model.frontend.languages, lang or model.voices.get(voice or model.voices.ids()[0]).language,
                                 version)
    for segment in model.frontend.segments(text, lang):
        print(segment.phonemes)
    return 0


def _voices(manager: ModelManager, args: argparse.Namespace) -> int:
    for voice in manager.voices(validate_version(manager, args.version)):
        print(voice.id)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m kokoro_ui", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(required=True, metavar="command")

    synth = commands.add_parser("synth", help="speak a text into a WAV file")
    synth.add_argument("text", nargs="?", help="the text to say (or give --phonemes)")
    synth.add_argument("--phonemes", help="phonemes to say instead of a text, in either release's notation")
    synth.add_argument("--phoneme-notation", default="auto", choices=list(PHONEME_NOTATIONS),
                       help="what --phonemes are written in (default: told by their symbols)")
    synth.add_argument("-o", "--output", required=True, help="WAV file to write")
    synth.add_argument("--voice", default="af_heart", help="a voice, or a mix such as 'af_bella(2)+af_sky(1)'")
    synth.add_argument("--speed", type=float, default=1.0)
    synth.set_defaults(run=_synth)

    phonemize = commands.add_parser("phonemize", help="print each chunk's phonemes, one line per chunk")
    phonemize.add_argument("text")
    phonemize.add_argument("--voice", help="picks the default language (default: the release's first voice)")
    phonemize.set_defaults(run=_phonemize)

    voices = commands.add_parser("voices", help="list the release's voices, one per line")
    voices.set_defaults(run=_voices)

    for command in (synth, phonemize, voices):
        command.add_argument("--version", default=DEFAULT_VERSION, help="v1.0 (default) or v0.19")
    for command in (synth, phonemize):
        command.add_argument("--lang", help="language code, e.g. a (en-US) or b (en-GB); default: the voice's")
        command.add_argument("--weights", help="auto | hub | packaged | synthetic | a folder (default: KOKORO_UI_WEIGHTS or auto)")
    return parser
