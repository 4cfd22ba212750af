"""One loaded release: text in, a stream of `Chunk`s out.

The loop is the same for both releases; what differs is handed in: the `FrontEnd` (text ->
phonemes -> token ids, and which voice-pack row styles a chunk) and the `ReleaseSpec`.
Forward passes of one release are serialised: on two cores, two passes through one model
at once only slow each other down and double the peak memory; a visitor's pass goes before
background work (`engine.gate`).
"""

import contextlib
import gc
import itertools
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Callable, Iterator, Optional, Protocol

import numpy as np
import torch
from kokoro import KModel

from kokoro_ui.backends import Backend, BackendChoice, TorchBackend, check_backend, make_backend
from kokoro_ui.backends.hold import COMPILERS
from kokoro_ui.engine import pacing, phoneme_input, windows
from kokoro_ui.engine.chunk import DECODED_WHOLE, MAX_TOKENS, Chunk, Window
from kokoro_ui.engine.gate import ForwardGate, is_background
from kokoro_ui.engine.memory import return_freed_memory
from kokoro_ui.engine.words import WordPlan, located, time_words
from kokoro_ui.weights.mix import mix_packs, parse_mix
from kokoro_ui.weights.checkpoint import fold_weight_norm, load_checkpoint, new_kmodel, weights_digest
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.voices import Voice, VoiceManifest, load_manifest
from kokoro_ui.weights.sources import WeightSource
from kokoro_ui.errors import UnsupportedLanguageError, WeightsError

MIXED_PACKS_KEPT = 32
STATISTICS_KEPT = 32  # voices whose windowed passes' decoder statistics are kept, pooled: a prior for their next
# A voice's first windowed pass starts from this sentence's decoder statistics in its voice (American English,
# which every release speaks; a shorter sentence's are worse than none: README, Streaming in decoder windows)
CALIBRATION_TEXT = "The quick brown fox jumps over the lazy dog, and then it runs far away."
CALIBRATION_LANG = "a"
WARM_UP_TEXT = "Hello."  # one short pass: what a first pass costs once (allocations, kernels' set-up, G2P)


@dataclass(frozen=True)
class Segment:
    """A piece of text the front end will send through one forward pass."""

    graphemes: str
    phonemes: str
    words: Optional[WordPlan] = None  # which of its phonemes say which written word; None: not known


class FrontEnd(Protocol):
    languages: dict[str, str]  # lang code -> name, for messages

    def segments(self, text: str, lang: str) -> Iterator[Segment]: ...

    def tokenize(self, phonemes: str) -> list[int]: ...

    def style_row(self, phonemes: str, token_ids: list[int]) -> int: ...


@dataclass(frozen=True)
class ForwardPass:
    audio: np.ndarray
    durations_frames: tuple[int, ...]
    started_at: float  # time.perf_counter()
    model_s: float


@dataclass(frozen=True)
class ModelInfo:
    """What every surface shows about a loaded release."""

    version: str
    weights: str  # where they came from, in words
    weights_kind: str
    real_speech: bool
    load_s: float
    parameters: int
    backend: str = "torch"
    backend_note: str = ""  # how the backend differs from PyTorch, as measured ('' on torch)
    weights_id: str = ""  # `weights_digest` of the loaded network: same id, same audio (cache keys)


class Release:
    """A release's network, front end and voices behind one streaming call.

    On an ONNX backend the PyTorch model is not kept (`kmodel` is None): the export is all
    that runs, and keeping both would hold the weights in memory twice.
    """

    def __init__(self, spec: ReleaseSpec, kmodel: KModel, frontend: FrontEnd, voices: VoiceManifest,
                 source: WeightSource, load_s: float, backend: Optional[Backend] = None, weights_id: str = ""):
        self.spec = spec
        self.backend = backend or TorchBackend(kmodel)
        self.kmodel: Optional[KModel] = kmodel if isinstance(self.backend, TorchBackend) else None
        self.frontend = frontend
        self.voices = voices
        self.source = source
        self._info = ModelInfo(spec.version, source.description, source.kind, source.real_speech, load_s,
                               sum(p.numel() for p in kmodel.parameters()), self.backend.name, self.backend.note,
                               weights_id)
        self.forward_passes = 0  # visitors' and background work's passes; a warm-up is not one of them
        self.warm_up_passes = 0
        self._packs: dict[str, torch.Tensor] = {}
        self._mixed: OrderedDict[tuple[tuple[str, float], ...], torch.Tensor] = OrderedDict()
        self._packs_lock = threading.Lock()
        self._statistics: OrderedDict[str, windows.Statistics] = OrderedDict()  # voice -> its windowed passes', pooled
        self.forward_gate = ForwardGate()  # visitors' passes first; background passes wait (`engine.gate`)

    @property
    def info(self) -> ModelInfo:
        """What the release is; the backend's note is read live (a compiled decoder arrives later)."""
        return replace(self._info, backend_note=self.backend.note)

    def stream(self, text: str, voice: str, speed: float = 1.0, lang: str | None = None,
               fast_first: bool = False, in_windows: bool = False) -> Iterator[Chunk]:
        """Chunks of speech for `text`, computed one at a time as the consumer asks for them.

        The text is cut only where the release cuts it (its front end's segments), so the chunks are
        the release's own passes. With `fast_first` (opt-in, `pacing.FAST_FIRST`) it is first cut into
        pieces that start small and grow, so the first audio comes sooner, at the cost of a
        phrase end the release would not make. `in_windows` keeps the release's own passes and
        streams each pass's decoder window by window (`engine.windows`; `windows_decoding` says
        whether this backend can); the chunks are then windows (`Chunk.window`).
        `voice` is a voice name or a mix of the release's voices (``af_bella(2)+af_sky(1)``, `weights.mix`).
        The voice and language are checked now, before any work; closing the iterator stops it.
        """
        pack = self.pack_for(voice)
        lang = lang or parse_mix(voice).voices(self.voices)[0].language
        if lang not in self.frontend.languages:
            known = ", ".join(f"{code} ({name})" for code, name in self.frontend.languages.items())
            raise UnsupportedLanguageError(f"Kokoro {self.spec.version} cannot speak language {lang!r} here; it speaks {known}.")
        texts = located(text, pacing.pieces(text) if fast_first and not in_windows else [text])
        offset, first = next(texts, (0, ""))
        segments = itertools.chain(_shifted(self.frontend.segments(first, lang), offset),  # fails now if lang's G2P is missing
                                   (segment for offset, piece in texts
                                    for segment in _shifted(self.frontend.segments(piece, lang), offset)))
        return self._chunks(segments, pack, speed, in_windows=in_windows, voice=voice)

    @property
    def windows_decoding(self) -> str:
        """How `stream(..., in_windows=True)` decodes on this backend, in words a surface shows."""
        if self.kmodel is None:
            return f"{DECODED_WHOLE} ({self.backend.name} has no decoder windows)"
        return "decoder windows" + (" (eager)" if self.backend.name != "torch" else "")

    def warm_up(self, voice: str, windows_too: bool = False) -> None:
        """Run `WARM_UP_TEXT` once in `voice`'s language, so the first visitor's run is as fast as later ones.

        The first pass through a network and the first use of a language's G2P pay one-off costs
        (memory the allocator has not mapped yet, kernels choosing their plans, the G2P's
        dictionaries and models loading: seconds for English's spaCy model). Its passes count
        in `warm_up_passes`, not `forward_passes`, which counts the work done for someone.
        `windows_too` also calibrates `voice`'s decoder windows (`_prior`), so its first windowed
        stream does not pay for that.
        """
        pack = self.pack_for(voice)
        lang = parse_mix(voice).voices(self.voices)[0].language
        for _ in self._chunks(self.frontend.segments(WARM_UP_TEXT, lang), pack, 1.0, warm_up=True):
            pass
        if windows_too and self.kmodel is not None:
            self._prior(voice)

    def pack_for(self, voice: str) -> torch.Tensor:
        """The style pack of a voice name, or of a mix: the weighted mean of its voices' packs.

        Mixed packs are kept too, the `MIXED_PACKS_KEPT` most recently used (each is ~0.5 MB).
        """
        mix = parse_mix(voice)
        voices = mix.voices(self.voices)
        if len(voices) == 1:
            return self.voice_pack(voices[0])
        key = tuple(zip((voice.id for voice in voices), mix.weights))
        with self._packs_lock:
            if key in self._mixed:
                self._mixed.move_to_end(key)
                return self._mixed[key]
        mixed = mix_packs([self.voice_pack(voice) for voice in voices], mix.weights)
        with self._packs_lock:
            self._mixed[key] = mixed
            while len(self._mixed) > MIXED_PACKS_KEPT:
                self._mixed.popitem(last=False)
        return mixed

    def stream_phonemes(self, phonemes: str, voice: str, speed: float = 1.0) -> Iterator[Chunk]:
        """Chunks of speech for `phonemes` in this release's own notation, its G2P bypassed.

        Cut into passes of at most 510 tokens and styled by the release's own rule
        (`phoneme_input`); symbols outside its vocabulary are refused now, before any work.
        """
        pack = self.pack_for(voice)  # a voice or a mix, as for text
        phoneme_input.check_symbols(phonemes, self.frontend.tokenize, self.spec.version)
        segments = (Segment("", piece) for piece in phoneme_input.passes(phonemes))
        return self._chunks(segments, pack, speed)

    def voice_pack(self, voice: Voice) -> torch.Tensor:
        """The voice's style pack, read once and kept."""
        with self._packs_lock:
            if voice.id not in self._packs:
                self._packs[voice.id] = self._read_pack(voice)
            return self._packs[voice.id]

    def _read_pack(self, voice: Voice) -> torch.Tensor:
        path = self.source.file(voice.file)
        try:
            pack = torch.load(path, map_location="cpu", weights_only=True)
        except Exception as error:  # a truncated or foreign file
            raise WeightsError(f"Cannot read voice pack {path}: {error}") from None
        expected = (self.spec.voice_pack_rows, 1, 256)
        if not isinstance(pack, torch.Tensor) or tuple(pack.shape) != expected:
            shape = tuple(pack.shape) if isinstance(pack, torch.Tensor) else type(pack).__name__
            raise WeightsError(f"{path.name} is not a Kokoro {self.spec.version} voice pack: shape {shape}, expected {expected}.")
        return pack.float()

    def _chunks(self, segments: Iterator[Segment], pack: torch.Tensor, speed: float,
                warm_up: bool = False, in_windows: bool = False, voice: str = "") -> Iterator[Chunk]:
        index = 0
        try:
            while True:
                started = time.perf_counter()
                segment = next(segments, None)
                frontend_s = time.perf_counter() - started
                if segment is None:
                    return
                token_ids = self.frontend.tokenize(segment.phonemes)[:MAX_TOKENS]
                if not token_ids:
                    continue
                style = pack[self.frontend.style_row(segment.phonemes, token_ids)]
                if in_windows and self.kmodel is not None:
                    yield from self._windows(index, segment, token_ids, style, speed, frontend_s, voice)
                else:
                    result = self.forward(token_ids, style, speed, warm_up)
                    words = time_words(segment.words, result.durations_frames) if segment.words else ()
                    decoding = self.windows_decoding if in_windows else DECODED_WHOLE
                    yield Chunk(index, segment.graphemes, segment.phonemes, tuple(token_ids), result.audio,
                                result.durations_frames, frontend_s, result.model_s, result.started_at, words,
                                decoding=decoding)
                index += 1
        finally:
            return_freed_memory()  # finished or closed: the passes' activations go back to the system

    def _windows(self, index: int, segment: Segment, token_ids: list[int], style: torch.Tensor, speed: float,
                 frontend_s: float, voice: str) -> Iterator[Chunk]:
        """One pass as windows of audio: its prosody predicted once, its decoder run window by window.

        The decoder's statistics of the voice's earlier windowed passes (`_prior`) stand in for the
        frames not decoded yet (`windows.PooledNorms`); this pass's, once decoded, join them.

        Each step holds the forward gate only while it computes, so another stream (the other side
        of a Compare) can run between two windows, and closing the stream stops it at the next window.
        """
        prior = self._prior(voice)
        with self.forward_gate.passing():
            self.forward_passes += 1
            started = time.perf_counter()
            prosody = windows.predict(self.kmodel, torch.LongTensor([[0, *token_ids, 0]]), style, speed)
            predict_s = time.perf_counter() - started
        words = time_words(segment.words, prosody.durations_frames) if segment.words else ()
        norms = windows.PooledNorms(prosody.frames, prior)
        decoded = windows.decode(self.kmodel.decoder, prosody, norms)
        try:
            while True:
                with self.forward_gate.passing():
                    window = next(decoded, None)
                if window is None:
                    return
                if window.last:
                    self._keep_statistics(voice, norms.statistics())
                yield Chunk(index, segment.graphemes, segment.phonemes, tuple(token_ids), window.audio,
                            prosody.durations_frames, frontend_s if window.index == 0 else 0.0,
                            window.decode_s + (predict_s if window.index == 0 else 0.0), started, words,
                            Window(window.index, window.start_sample, window.last), self.windows_decoding)
        finally:
            decoded.close()

    def _prior(self, voice: str) -> windows.Statistics:
        """The decoder statistics `voice`'s next windowed pass starts from: its earlier ones', pooled.

        A voice without one is calibrated first: `CALIBRATION_TEXT` in it, one whole pass whose
        statistics only are kept (a warm-up pass; the random draws are given back, so a seeded
        stream draws what it would have). Another voice's statistics would not do: they are
        worse than none (README, Streaming in decoder windows).
        """
        with self._packs_lock:
            kept = self._statistics.get(voice)
        if kept is not None:
            return kept
        segment = next(self.frontend.segments(CALIBRATION_TEXT, CALIBRATION_LANG))
        token_ids = self.frontend.tokenize(segment.phonemes)
        style = self.pack_for(voice)[self.frontend.style_row(segment.phonemes, token_ids)]
        with self.forward_gate.passing(), torch.random.fork_rng():
            self.warm_up_passes += 1
            statistics = windows.whole_pass_statistics(
                self.kmodel.decoder, windows.predict(self.kmodel, torch.LongTensor([[0, *token_ids, 0]]), style, 1.0))
        self._keep_statistics(voice, statistics)
        return statistics

    def _keep_statistics(self, voice: str, statistics: windows.Statistics) -> None:
        with self._packs_lock:
            kept = self._statistics.get(voice)
            self._statistics[voice] = kept.pooled(statistics) if kept else statistics
            self._statistics.move_to_end(voice)
            while len(self._statistics) > STATISTICS_KEPT:
                self._statistics.popitem(last=False)

    def forward(self, token_ids: list[int], style: torch.Tensor, speed: float, warm_up: bool = False) -> "ForwardPass":
        """One pass of the network: token ids (without pads) and a style row -> audio, durations.

        Timed inside the gate, so time spent waiting for another request is not counted.
        A `warm_up` pass is counted in `warm_up_passes` instead of `forward_passes`. While a
        visitor's pass runs, background compilers (a compiled decoder's) are held (`backends.hold`).
        """
        input_ids = torch.LongTensor([[0, *token_ids, 0]])
        held = contextlib.nullcontext() if is_background() else COMPILERS.visitor_pass()
        with self.forward_gate.passing(), held:
            if warm_up:
                self.warm_up_passes += 1
            else:
                self.forward_passes += 1
            started = time.perf_counter()
            audio, durations = self.backend(input_ids, style, speed)
            model_s = time.perf_counter() - started
        return ForwardPass(np.asarray(audio, dtype=np.float32).reshape(-1),
                           tuple(np.asarray(durations).reshape(-1).tolist()), started, model_s)


def _shifted(segments: Iterator[Segment], offset: int) -> Iterator[Segment]:
    """Segments of a piece that starts `offset` characters into the text: their words' offsets in the text."""
    for segment in segments:
        yield segment if segment.words is None or not offset else replace(segment, words=segment.words.shifted(offset))


def load_release(spec: ReleaseSpec, source: WeightSource, make_frontend: Callable[[dict], FrontEnd],
                 adapt: Callable[[KModel], None] = lambda kmodel: None,
                 backend: BackendChoice = BackendChoice()) -> Release:
    """Build the network from `source`'s config, load its checkpoint strictly, attach the front end.

    `adapt` lets a release restore a detail of its original implementation that `KModel` changed;
    an ONNX backend is exported from the adapted model.
    """
    check_backend(backend.name)
    started = time.perf_counter()
    config = json.loads(source.file("config.json").read_text(encoding="utf-8"))
    kmodel = new_kmodel(spec, config)
    load_checkpoint(kmodel, spec, source.file(spec.checkpoint_file))
    fold_weight_norm(kmodel)
    adapt(kmodel)
    voices = load_manifest(spec.folder)
    runner = make_backend(backend, kmodel, spec, source)
    release = Release(spec, kmodel, make_frontend(config), voices, source, time.perf_counter() - started, runner,
                      weights_digest(kmodel)[:16])
    del kmodel, runner
    gc.collect()  # on ONNX, the PyTorch model is garbage now
    return_freed_memory()
    return release
