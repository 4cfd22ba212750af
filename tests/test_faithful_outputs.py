"""Every output that is not streamed is the release's own: its text cut into passes only where the
release cuts it, and, with the same seed, the release's very samples on `torch`.

The reference for v1.0 is `kokoro.KPipeline` itself, chunk for chunk; for v0.19 it is the original
code's pass plan (the whole text phonemized, tokenized and spoken in one pass styled by
`pack[len(tokens)]`; test_v0_19_fidelity holds that pass against the original's own output).
Text-level fast first audio is opt-in (`KOKORO_UI_FAST_FIRST`): labelled wherever it is used, refused
for what is kept (the clip bank, the gallery's samples, the listening study).
"""

import base64
import functools
import hashlib
import os
import subprocess
import sys
from dataclasses import replace

import httpx
import numpy as np
import pytest
import soundfile
import torch
from kokoro import KPipeline

from helpers.browser import running_app
from kokoro_ui.abtest.bank import RENDERING, ClipBank, render, synthesise
from kokoro_ui.abtest.clips import ClipCache
from kokoro_ui.abtest.material import Sentence, voice_pairs
from kokoro_ui.builds.v0_19 import frontend as v0_19_frontend
from kokoro_ui.config.settings import REPO_ROOT
from kokoro_ui.engine.pacing import FAST_FIRST, WHOLE_PASS
from kokoro_ui.outputs.rendering import audio_key
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.outputs.audio_formats import encode, to_int16
from kokoro_ui.outputs.loudness import Clip, integrated_loudness, match_loudness
from kokoro_ui.outputs.word_view import RunWords
from kokoro_ui.samples.cache import SampleCache
from kokoro_ui.services.compare import compare
from kokoro_ui.services.validation import SpeechRequest
from kokoro_ui.ui import landing, named_api, views

SENTENCE_79 = "We walked along the quiet river at dusk, talking about the year that lay ahead."
TWO_SENTENCES = "Could you tell me the way to the nearest train station, please? It is getting late."
SEED = 4321
VOICE = "af_bella"  # a voice of both releases
VERSIONS = ["v1.0", "v0.19"]


@pytest.fixture(scope="module")
def pipeline(v1) -> KPipeline:
    return KPipeline(lang_code="a", repo_id="hexgrad/Kokoro-82M", model=v1.kmodel)


@pytest.fixture(scope="module")
def reference(pipeline, v1, v019):
    """The release's own chunks of `text` under `seed`: (phonemes, durations, audio) per pass. Made once per
    set of arguments (the seed makes them the same every time); callers seed their own runs."""
    @functools.cache
    def passes(version: str, text: str, voice: str = VOICE, speed: float = 1.0, seed: int = SEED):
        torch.manual_seed(seed)
        if version == "v1.0":
            pack = v1.voice_pack(v1.voices.get(voice))
            return [(result.phonemes, tuple(result.pred_dur.tolist()), result.audio.numpy())
                    for result in pipeline(text, voice=pack, speed=speed)]
        phonemes = v0_19_frontend.phonemize(text, "a")  # the original: the whole text, one pass
        tokens = v0_19_frontend.tokenize(phonemes)[:510]
        style = v019.voice_pack(v019.voices.get(voice))[len(tokens)]
        forward = v019.forward(tokens, style, speed)
        return [(phonemes, forward.durations_frames, forward.audio)]
    return passes


def whole(passes) -> np.ndarray:
    return np.concatenate([audio for _, _, audio in passes])


@pytest.fixture(scope="module")
def fast_first_app(synthetic_settings, manager):
    """An app with the opt-in setting on (KOKORO_UI_FAST_FIRST=true), on the session's loaded releases."""
    with running_app(replace(synthetic_settings, fast_first=True), releases_from=manager) as (url, app_manager), \
            httpx.Client(base_url=url, timeout=600) as client:
        yield client, app_manager


@pytest.fixture(scope="module")
def fast_first_manager(fast_first_app):
    return fast_first_app[1]


@pytest.fixture(scope="module")
def fast_first_api(fast_first_app):
    return fast_first_app[0]


# --- the releases' own passes, by default, on every surface ---------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_a_release_streams_its_own_passes_by_default(version, manager, reference):
    release = manager.get_model(version)
    torch.manual_seed(SEED)
    ours = list(release.stream(TWO_SENTENCES, VOICE))
    theirs = reference(version, TWO_SENTENCES)
    assert len(ours) == len(theirs) == 1  # both releases say these two sentences in one pass
    for chunk, (phonemes, durations, audio) in zip(ours, theirs):
        assert (chunk.phonemes, chunk.durations_frames) == (phonemes, durations)
        assert np.array_equal(chunk.audio, audio)


def test_the_speech_api_says_a_79_character_sentence_in_kpipeline_s_one_pass(api, reference):
    assert len(SENTENCE_79) == 79
    torch.manual_seed(SEED)
    response = api.post("/v1/audio/speech", json={"input": SENTENCE_79, "voice": VOICE, "response_format": "pcm"})
    assert response.status_code == 200, response.text
    theirs = reference("v1.0", SENTENCE_79)
    assert len(theirs) == 1 and response.headers["X-Kokoro-Chunks"] == "1"
    assert len(response.content) == 2 * len(whole(theirs))  # as long as the release's pass, to the sample
    assert response.content == to_int16(whole(theirs))
    assert "X-Kokoro-Text-Cut" not in response.headers


@pytest.mark.parametrize("version", VERSIONS)
def test_the_speech_api_answers_the_release_s_own_audio(api, reference, version):
    torch.manual_seed(SEED)
    response = api.post("/v1/audio/speech", json={"input": TWO_SENTENCES, "voice": VOICE, "version": version,
                                                  "response_format": "wav"})
    assert response.status_code == 200, response.text
    assert response.content == encode(whole(reference(version, TWO_SENTENCES)), "wav")


@pytest.mark.parametrize("version", VERSIONS)
def test_captioned_speech_answers_the_release_s_own_audio(api, reference, version):
    torch.manual_seed(SEED)
    response = api.post("/dev/captioned_speech", json={"input": TWO_SENTENCES, "voice": VOICE, "version": version,
                                                       "response_format": "wav", "stream": False})
    assert response.status_code == 200, response.text
    assert base64.b64decode(response.json()["audio"]) == encode(whole(reference(version, TWO_SENTENCES)), "wav")
    assert "X-Kokoro-Text-Cut" not in response.headers


@pytest.mark.parametrize("version", VERSIONS)
def test_the_named_api_answers_the_release_s_own_audio(manager, reference, version, tmp_path):
    torch.manual_seed(SEED)
    path, result = named_api.synthesize(manager, TWO_SENTENCES, VOICE, 1.0, version)
    ours, _ = soundfile.read(path, dtype="int16")
    expected = tmp_path / "expected.wav"
    soundfile.write(expected, whole(reference(version, TWO_SENTENCES)), 24_000, subtype="PCM_16")
    assert np.array_equal(ours, soundfile.read(expected, dtype="int16")[0])
    assert result["rendering"] == WHOLE_PASS and result["chunks"] == 1


@pytest.mark.parametrize("version", VERSIONS)
def test_compare_and_so_the_word_view_hear_the_release_s_own_audio(manager, reference, version):
    """One side alone, so the seed's draws are that side's; the word view cuts its clips from these chunks."""
    torch.manual_seed(SEED)
    events = list(compare(manager, [SpeechRequest(TWO_SENTENCES, VOICE, version, 1.0, None)]))
    chunks = [event.chunk for event in events if event.chunk is not None]
    theirs = reference(version, TWO_SENTENCES)
    assert [(chunk.phonemes, chunk.durations_frames) for chunk in chunks] == [passes[:2] for passes in theirs]
    assert np.array_equal(np.concatenate([chunk.audio for chunk in chunks]), whole(theirs))
    run = RunWords.of(chunks, chunks) if version == "v0.19" else RunWords.of([], chunks)
    assert np.array_equal(run.right_audio if version == "v1.0" else run.left_audio, whole(theirs))
    assert events[-1].result.rendering == WHOLE_PASS


@pytest.mark.parametrize("version", VERSIONS)
def test_a_gallery_sample_is_the_release_s_own_audio_loudness_matched(manager, reference, version, tmp_path):
    torch.manual_seed(SEED)
    sample = SampleCache(manager, tmp_path / "samples").get(version, VOICE, TWO_SENTENCES)
    theirs = whole(reference(version, TWO_SENTENCES))
    matched = match_loudness([Clip(theirs, integrated_loudness(theirs), False)])[0]  # the same gain as the cache's
    expected = tmp_path / "expected.wav"
    soundfile.write(expected, matched, 24_000, subtype="PCM_16")
    assert np.array_equal(soundfile.read(sample.path, dtype="int16")[0], soundfile.read(expected, dtype="int16")[0])


@pytest.mark.parametrize("version", VERSIONS)
def test_the_clip_bank_s_clips_are_the_speech_api_s_whole_answer(manager, api, version, tmp_path):
    """Compared before loudness matching: the bank keeps the model's raw audio, matched at every serve."""
    bank = ClipBank(tmp_path)
    torch.manual_seed(SEED)
    done = render(manager, bank, [Sentence("s", TWO_SENTENCES)], voice_pairs(manager, VOICE), 1.0, [version],
                  progress=False)
    assert done.made == 1
    clip = bank.load(manager.get_model(version), VOICE, TWO_SENTENCES, 1.0)
    torch.manual_seed(SEED)
    response = api.post("/v1/audio/speech", json={"input": TWO_SENTENCES, "voice": VOICE, "version": version,
                                                  "response_format": "pcm", "stream": False})
    assert response.status_code == 200, response.text
    assert to_int16(clip) == response.content


@pytest.mark.slow
def test_the_command_line_speaks_the_release_s_own_passes(reference, tmp_path):
    """A process of its own (its warm-up draws random numbers first): the same passes, to the sample."""
    out = tmp_path / "out.wav"
    result = _cli("synth", "--voice", VOICE, TWO_SENTENCES, "-o", str(out))
    assert result.returncode == 0, result.stderr
    theirs = reference("v1.0", TWO_SENTENCES)
    assert [line.split("\t")[1] for line in result.stdout.splitlines()] == [phonemes for phonemes, _, _ in theirs]
    assert soundfile.info(out).frames == len(whole(theirs))
    assert "text cut" not in result.stderr


# --- kept audio: one key, whole passes only ---------------------------------------------------

def test_a_clip_an_older_bank_made_with_a_cut_is_never_served_and_render_remakes_it(manager, v1, reference, tmp_path):
    bank = ClipBank(tmp_path)
    cut = np.concatenate([chunk.audio for chunk in v1.stream(TWO_SENTENCES, VOICE, fast_first=True)])
    old = _old_bank_path(tmp_path, v1, VOICE, TWO_SENTENCES, 1.0)  # where the bank filed it before renderings
    old.parent.mkdir(parents=True)
    np.save(old, cut)
    assert bank.load(v1, VOICE, TWO_SENTENCES, 1.0) is None
    before = v1.forward_passes
    clip = ClipCache(manager, bank=bank).get("v1.0", VOICE, TWO_SENTENCES, 1.0)
    assert v1.forward_passes == before + 1  # made again, in one whole pass
    assert len(clip.audio) == len(whole(reference("v1.0", TWO_SENTENCES))) != len(cut)
    assert render(manager, bank, [Sentence("s", TWO_SENTENCES)], voice_pairs(manager, VOICE), 1.0, ["v1.0"],
                  progress=False).kept == 1
    assert old.is_file()  # nothing is deleted


def test_kept_audio_refuses_a_fast_first_cut(v1):
    with pytest.raises(KokoroUIError, match="never 'fast-first'"):
        audio_key(v1, VOICE, TWO_SENTENCES, 1.0, FAST_FIRST)
    assert RENDERING == WHOLE_PASS


def test_with_the_setting_on_the_bank_the_study_and_the_gallery_still_keep_whole_passes(fast_first_manager, manager,
                                                                                          reference, tmp_path):
    expected = len(whole(reference("v1.0", TWO_SENTENCES)))
    release = fast_first_manager.get_model("v1.0")
    assert len(synthesise(release, VOICE, TWO_SENTENCES, 1.0)) == expected
    assert len(ClipCache(fast_first_manager).get("v1.0", VOICE, TWO_SENTENCES, 1.0).audio) == expected
    sample = SampleCache(fast_first_manager, tmp_path).get("v1.0", VOICE, TWO_SENTENCES)
    assert soundfile.info(sample.path).frames == expected
    same = SampleCache(manager, tmp_path)  # the same key with the setting off: one file for both
    assert same.ready("v1.0", VOICE, TWO_SENTENCES)


# --- the opt-in text cut, labelled where it is used ---------------------------------------

def test_with_the_setting_on_the_speech_api_cuts_the_text_and_says_so(fast_first_api):
    response = fast_first_api.post("/v1/audio/speech", json={"input": SENTENCE_79, "voice": VOICE,
                                                             "response_format": "pcm"})
    assert response.status_code == 200, response.text
    assert response.headers["X-Kokoro-Text-Cut"] == FAST_FIRST and int(response.headers["X-Kokoro-Chunks"]) == 2
    streamed = fast_first_api.post("/v1/audio/speech", json={"input": SENTENCE_79, "voice": VOICE,
                                                             "response_format": "pcm", "stream": True})
    assert streamed.headers["X-Kokoro-Text-Cut"] == FAST_FIRST
    captioned = fast_first_api.post("/dev/captioned_speech", json={"input": SENTENCE_79, "stream": False})
    assert captioned.status_code == 200 and captioned.headers["X-Kokoro-Text-Cut"] == FAST_FIRST


def test_with_the_setting_on_phonemes_are_not_cut_and_not_labelled(fast_first_api):
    response = fast_first_api.post("/v1/audio/speech", json={"phonemes": "hˈɛlO wˈɜɹld.", "voice": VOICE,
                                                             "response_format": "pcm"})
    assert response.status_code == 200, response.text
    assert "X-Kokoro-Text-Cut" not in response.headers


def test_with_the_setting_on_the_named_api_and_compare_say_the_text_was_cut(fast_first_manager):
    _, result = named_api.synthesize(fast_first_manager, SENTENCE_79, VOICE, 1.0, "v1.0")
    assert result["rendering"] == FAST_FIRST and result["chunks"] == 2
    events = list(compare(fast_first_manager, [SpeechRequest(SENTENCE_79, VOICE, "v1.0", 1.0, None)]))
    assert "text cut: fast-first" in views.status_markdown("v1.0", 2, events[-1].result)
    assert views.TEXT_CUT_NOTE in views.weights_banner([], fast_first=True)
    assert views.TEXT_CUT_NOTE in landing.banner_markdown(fast_first_manager.status(), fast_first_manager.settings)
    assert views.TEXT_CUT_NOTE not in landing.banner_markdown([], replace(fast_first_manager.settings, fast_first=False))


@pytest.mark.slow
def test_with_the_setting_on_the_command_line_says_so_on_stderr(tmp_path):
    result = _cli("synth", "--voice", VOICE, SENTENCE_79, "-o", str(tmp_path / "out.wav"), KOKORO_UI_FAST_FIRST="true")
    assert result.returncode == 0, result.stderr
    assert "text cut: fast-first (KOKORO_UI_FAST_FIRST is on)" in result.stderr
    assert len(result.stdout.splitlines()) == 2


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "KOKORO_UI_WEIGHTS": "synthetic", "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run([sys.executable, "-m", "kokoro_ui", *args], cwd=REPO_ROOT, env=environment,
                          capture_output=True, text=True, timeout=300)


def _old_bank_path(folder, release, voice: str, text: str, speed: float):
    """A clip's path as the bank filed it before its key said how the clip was rendered."""
    from kokoro_ui.outputs.rendering import _front_ends  # the front-end part has not changed
    from kokoro_ui.weights.checkpoint import pack_digest
    info = release.info
    release_folder = f"{info.version}-{info.weights_kind}-{info.backend}-{info.weights_id}-{_front_ends()}"
    voice_folder = f"{voice}-{pack_digest(release.voice_pack(release.voices.get(voice)))[:16]}"
    name = hashlib.sha256(f"1\n{float(speed)!r}\n{text}".encode()).hexdigest()[:32]
    return folder / release_folder / voice_folder / f"{name}.npy"
