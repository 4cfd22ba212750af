"""Every surface but the HTTP API under generated input (that one is `test_fuzz_http.py`): the named
Gradio API, the page's handlers called directly, the command line and the environment settings.

Property: an answer, or a refusal that says why (`gr.Error`/`KokoroUIError`, an AppError carrying our
message, exit status 2 with one `error:` line); never any other exception, a traceback, a hang, or a
change to the stored votes. Bounded: most inputs are refused before any forward pass.
"""

import contextlib
import io
import itertools

import gradio as gr
import pytest
from gradio_client import Client
from hypothesis import HealthCheck, example, given, settings, strategies as st

from kokoro_ui import cli
from kokoro_ui.abtest import ListeningTest
from kokoro_ui.errors import KokoroUIError
from kokoro_ui.services.metrics import History
from kokoro_ui.config.settings import Settings
from kokoro_ui.ui import compare_handlers, gallery_handlers
from kokoro_ui.ui.listening_tab import answer_screening, cast_vote, heard, heard_screening

FUZZ = dict(deadline=None, derandomize=True, database=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=16)  # lone surrogates too
VOICES = st.sampled_from(["af_heart", "af_bella", "af", "af_bella(2)+af_sky(1)", "nobody", ""]) | ANY_TEXT
VERSIONS = st.sampled_from(["v1.0", "v0.19", "", "v9"]) | ANY_TEXT
TEXTS = st.sampled_from(["Hi.", "", "a" * 6000]) | ANY_TEXT
NUMBERS = st.one_of(st.floats(), st.integers(-10**6, 10**6), st.sampled_from([1.0, 0.5, 2.0]))
GENERIC = "has not enabled verbose error reporting"  # what a client sees when a handler crashed


# long fuzzing; a fuzzed request never changes stored votes
pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("votes_unchanged")]


@pytest.fixture(scope="module")
def client(server_url):
    return Client(server_url, verbose=False)


def refused_or_answered(call) -> None:
    try:
        call()
    except Exception as error:  # gradio_client's AppError: the message must be ours, not a crash's
        assert GENERIC not in str(error) and str(error).strip(), repr(error)


@settings(max_examples=60, **FUZZ)
@example("Hi.", "af_heart", float("nan"), "v1.0")
@example("\ud800 Hi.", "af_heart", 1.0, "v1.0")
@given(TEXTS, VOICES, NUMBERS, VERSIONS)
def test_named_synthesize_answers_or_refuses(client, text, voice, speed, version):
    refused_or_answered(lambda: client.predict(text, voice, speed, version, api_name="/synthesize"))


@settings(max_examples=60, **FUZZ)
@given(TEXTS, VERSIONS, st.sampled_from(["", "a", "b", "j", "zz"]) | ANY_TEXT, st.booleans())
def test_named_phonemize_and_voices_answer_or_refuse(client, text, version, lang, voices):
    if voices:
        refused_or_answered(lambda: client.predict(version, api_name="/voices"))
    else:
        refused_or_answered(lambda: client.predict(text, version, lang, api_name="/phonemize"))


def handled(call) -> None:
    """A handler's answer, or its refusal; nothing else may escape (the door in `ui.events` shows both)."""
    try:
        result = call()
        if hasattr(result, "__next__"):
            for _ in itertools.islice(result, 200):
                pass
    except (gr.Error, KokoroUIError):
        pass


@settings(max_examples=120, **FUZZ)
@example("Hi.", "af_bella", "af_bella", 1.0, "", "fair")  # accepted: both releases speak
@example("Hi.", "\udc80", "af_bella", 1.0, "a", "parallel")
@given(TEXTS, VOICES, VOICES, NUMBERS, st.sampled_from(["", "a", "b", "q"]) | ANY_TEXT,
       st.sampled_from(["fair", "parallel", ""]) | ANY_TEXT)
def test_compare_handler_answers_or_refuses(manager, text, left, right, speed, lang, mode):
    handled(lambda: compare_handlers.run_comparison(manager, text, left, right, speed, lang, mode, History()))
    handled(lambda: compare_handlers.pair_voice(left, right, manager=manager, from_version="v0.19", to_version="v1.0"))
    compare_handlers.character_count(text, manager.settings.max_chars)


@settings(max_examples=80, **FUZZ)
@given(VERSIONS, VOICES, VOICES, NUMBERS, st.lists(ANY_TEXT | st.sampled_from(["v1.0:af_heart", "v0.19:af"]),
                                                   max_size=3))
def test_gallery_handlers_answer_or_refuse(manager, release, first, second, share, shortlist):
    handled(lambda: gallery_handlers.mix_words(first, second, share))
    handled(lambda: gallery_handlers.choose_voice_of_mix(manager, release, first, second, share))
    handled(lambda: gallery_handlers.compare_picked(manager, shortlist))
    handled(lambda: gallery_handlers.toggle_shortlist(first, shortlist))


@pytest.fixture(scope="module")
def listening(manager):
    return ListeningTest.open(manager)


@settings(max_examples=80, **FUZZ)
@given(st.none() | ANY_TEXT, st.integers(-2, 12) | st.just(10**30), st.sampled_from(["A", "B", "none", "X"]) | ANY_TEXT,
       ANY_TEXT, st.sampled_from(["play", "pause", "end"]) | ANY_TEXT)
def test_listening_handlers_refuse_what_no_session_asked_for(listening, session_id, trial, choice, comment, event):
    handled(lambda: heard(listening, session_id, trial, choice, event))
    handled(lambda: heard_screening(listening, session_id, trial, event))
    screen = cast_vote(listening, session_id, trial, choice, comment)
    assert screen.refused and screen.message  # no such session: nothing is stored
    screen = answer_screening(listening, session_id, trial, choice)
    assert screen.refused and screen.message


ARGS = st.sampled_from(["--version", "--voice", "--speed", "--lang", "-o", "v1.0", "v0.19", "af_heart", "af",
                        "nan", "-1", "1.5", "a", "zz", "Hello there.", "", "--help-me"]) | ANY_TEXT


@settings(max_examples=150, **FUZZ)
@example("synth", ["Hello.", "-o", "/nonexistent/folder/x.wav"])
@example("phonemize", ["Hi.", "--lang", "q"])
@example("voices", ["--version", "v9"])
@given(st.sampled_from(["synth", "phonemize", "voices", "speak"]), st.lists(ARGS, max_size=6))
def test_the_command_line_answers_or_refuses(tmp_path_factory, command, args):
    argv = [command, *args]
    if command in ("synth", "phonemize"):  # whatever else it says, no release can load: no forward pass
        argv += ["--weights", str(tmp_path_factory.getbasetemp() / "no-weights")]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        try:
            status = cli.main(argv)
        except SystemExit as exit_:  # argparse: usage and one line of why
            status = exit_.code
    assert status in (0, 2), (argv, err.getvalue())
    assert "Traceback" not in err.getvalue()
    if status == 2:
        assert "error: " in err.getvalue()  # ours ("error: <why>") or argparse's ("<usage> ... error: <why>")


FIELDS = [name for name in Settings().__dict__]


@settings(max_examples=300, **FUZZ)
@example({"QUEUE_LIMIT": "9" * 5000})
@example({"FAST_FIRST": "\udcff"})  # a variable that is not UTF-8 reaches Python as a lone surrogate
@example({"LISTENING_SPEED": "nan", "PORT": "1e3"})
@given(st.dictionaries(st.sampled_from(FIELDS).map(str.upper),
                       st.sampled_from(["1", "0", "true", "off", "-5", "1e999", "nan", "", " 7 "]) | ANY_TEXT,
                       max_size=4))
def test_settings_from_the_environment_are_read_or_refused_by_name(variables):
    env = {f"KOKORO_UI_{name}": value for name, value in variables.items()}
    try:
        Settings.from_env(env)
    except KokoroUIError as error:
        assert any(name in str(error) for name in env), str(error)
