"""The forward gate: one pass at a time per release, visitors in arrival order, background work last.

Real threads meet at real gates; a test waits until each thread is seen waiting before it lets the
pass in progress end, so the order it checks is the gate's, not the scheduler's.
"""

import threading
import time

import pytest

from kokoro_ui.engine.gate import ForwardGate, GateGroup, in_background, is_background


class Passes:
    """Threads that each make one pass through a gate, recording when they start and end."""

    def __init__(self):
        self.log: list[str] = []
        self.lock = threading.Lock()
        self.threads: list[threading.Thread] = []

    def start(self, gate: ForwardGate, name: str, background: bool = False, hold: threading.Event = None):
        def run():
            if background:
                with in_background():
                    self._pass(gate, name, hold)
            else:
                self._pass(gate, name, hold)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.threads.append(thread)

    def _pass(self, gate, name, hold):
        with gate.passing():
            self._note(f"{name}+")
            if hold is not None:
                assert hold.wait(10)
            self._note(f"{name}-")

    def _note(self, entry):
        with self.lock:
            self.log.append(entry)

    def join(self):
        for thread in self.threads:
            thread.join(10)
            assert not thread.is_alive()


def eventually(condition, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


@pytest.fixture
def gate():
    return ForwardGate(GateGroup())


def test_passes_through_one_gate_never_overlap(gate):
    passes = Passes()
    for index in range(6):
        passes.start(gate, f"v{index}", background=index % 2 == 1)
    passes.join()
    assert all(entry.endswith("+") for entry in passes.log[::2])
    assert all(start[:-1] == end[:-1] for start, end in zip(passes.log[::2], passes.log[1::2]))


def test_visitors_pass_in_the_order_they_arrived(gate):
    passes, hold = Passes(), threading.Event()
    passes.start(gate, "first", hold=hold)
    eventually(lambda: passes.log == ["first+"])
    for index in range(4):
        passes.start(gate, f"v{index}")
        eventually(lambda: gate.waiting() == (index + 1, 0))
    hold.set()
    passes.join()
    assert [entry for entry in passes.log if entry.endswith("+")] == ["first+", "v0+", "v1+", "v2+", "v3+"]


def test_a_visitor_who_arrives_later_overtakes_waiting_background_passes(gate):
    passes, hold = Passes(), threading.Event()
    passes.start(gate, "visitor", hold=hold)
    eventually(lambda: passes.log == ["visitor+"])
    passes.start(gate, "sample1", background=True)
    passes.start(gate, "sample2", background=True)
    eventually(lambda: gate.waiting() == (0, 2))
    passes.start(gate, "late visitor")
    eventually(lambda: gate.waiting() == (1, 2))
    hold.set()
    passes.join()
    assert passes.log[2:4] == ["late visitor+", "late visitor-"]


def test_a_background_pass_waits_while_a_visitor_is_busy_on_another_release():
    group = GateGroup()
    v1_0, v0_19 = ForwardGate(group), ForwardGate(group)
    passes, hold = Passes(), threading.Event()
    passes.start(v1_0, "visitor on v1.0", hold=hold)
    eventually(lambda: passes.log == ["visitor on v1.0+"])
    passes.start(v0_19, "sample on v0.19", background=True)
    eventually(lambda: v0_19.waiting() == (0, 1))
    time.sleep(0.2)  # its own gate is free all this while
    assert passes.log == ["visitor on v1.0+"]
    hold.set()
    passes.join()
    assert passes.log == ["visitor on v1.0+", "visitor on v1.0-", "sample on v0.19+", "sample on v0.19-"]


def test_visitors_of_two_releases_pass_at_the_same_time():
    group = GateGroup()
    passes, hold = Passes(), threading.Event()
    passes.start(ForwardGate(group), "v1.0", hold=hold)
    passes.start(ForwardGate(group), "v0.19", hold=hold)
    eventually(lambda: sorted(passes.log) == ["v0.19+", "v1.0+"])
    hold.set()
    passes.join()


def test_a_background_pass_under_way_finishes_and_then_the_visitor_goes_before_the_next(gate):
    passes, hold = Passes(), threading.Event()
    passes.start(gate, "sample1", background=True, hold=hold)
    eventually(lambda: passes.log == ["sample1+"])
    passes.start(gate, "sample2", background=True)
    passes.start(gate, "visitor")
    eventually(lambda: gate.waiting() == (1, 1))
    hold.set()
    passes.join()
    assert passes.log == ["sample1+", "sample1-", "visitor+", "visitor-", "sample2+", "sample2-"]


def test_background_is_the_context_of_the_block_only():
    seen = {}
    with in_background():
        other = threading.Thread(target=lambda: seen.update(other=is_background()))
        other.start()
        other.join()
        seen["inside"] = is_background()
    assert seen == {"inside": True, "other": False} and not is_background()


def test_a_release_s_forward_passes_go_through_its_gate(v1):
    started = threading.Event()
    style = v1.pack_for("af_bella")[10]

    def background_pass():
        with in_background():
            started.set()
            v1.forward([50, 51, 52], style, 1.0)

    with v1.forward_gate.passing():  # a visitor's pass under way
        thread = threading.Thread(target=background_pass, daemon=True)
        thread.start()
        assert started.wait(10)
        eventually(lambda: v1.forward_gate.waiting() == (0, 1))
        passes_before = v1.forward_passes
    thread.join(60)
    assert v1.forward_passes == passes_before + 1
