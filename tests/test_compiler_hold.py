"""A compiled decoder's compile never slows a visitor: its process is stopped (SIGSTOP) while a visitor's
forward pass runs and continued (SIGCONT) between passes; background passes do not hold it."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from conftest import THREE_PARAGRAPHS
from kokoro_ui.backends.compiled import CompiledBackend
from kokoro_ui.backends.hold import COMPILERS
from kokoro_ui.engine.gate import in_background


def state(pid: int) -> str:
    """The process's state letter from /proc: 'T' is stopped."""
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0]


def states_while(run, pid: int) -> list[str]:
    """`pid`'s states, sampled every few milliseconds while `run()` runs in another thread."""
    worker = threading.Thread(target=run)
    seen = []
    worker.start()
    while worker.is_alive():
        seen.append(state(pid))
        time.sleep(0.002)
    worker.join()
    return seen


@pytest.fixture
def compiler_process():
    """A busy process in a group of its own, held as a compiler is."""
    process = subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
    COMPILERS.add(process)
    yield process
    COMPILERS.discard(process)
    process.kill()
    process.wait()


def test_a_compiler_is_stopped_during_each_visitor_pass_and_continued_after(v1, compiler_process):
    passes = v1.forward_passes
    seen = states_while(lambda: list(v1.stream(THREE_PARAGRAPHS, "af_heart")), compiler_process.pid)
    assert v1.forward_passes - passes == 3 and len(seen) > 3
    assert "T" in seen
    time.sleep(0.05)
    assert state(compiler_process.pid) != "T"


def test_a_background_pass_does_not_hold_a_compiler(v1, compiler_process):
    def background():
        with in_background():
            list(v1.stream(THREE_PARAGRAPHS, "af_heart"))

    seen = states_while(background, compiler_process.pid)
    assert len(seen) > 3 and "T" not in seen


@pytest.mark.slow
def test_the_compiled_backend_s_own_compiler_is_held(v1, v019, tmp_path):
    """The real compiling child (AOTInductor, minutes): stopped during a visitor pass through either release."""
    backend = CompiledBackend(v1.kmodel, tmp_path / "aoti-test")
    backend.start(v1.voice_pack(v1.voices.get("af_heart"))[50].reshape(1, -1))
    deadline = time.monotonic() + 120
    while backend.compiler is None and time.monotonic() < deadline:
        time.sleep(0.05)
    compiler = backend.compiler
    assert compiler is not None and compiler.poll() is None
    try:
        seen = states_while(lambda: list(v019.stream(THREE_PARAGRAPHS, "af_bella")), compiler.pid)
        assert "T" in seen
        time.sleep(0.05)
        assert state(compiler.pid) != "T"
    finally:
        os.killpg(compiler.pid, signal.SIGKILL)
        assert backend.ready.wait(60)
    assert "failed" in backend.note  # killed: eager PyTorch serves, and says why
