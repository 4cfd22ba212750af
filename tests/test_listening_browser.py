"""A whole blind listening session of ten trials in a real browser against a real server (synthetic
weights), served from a full clip bank: no forward pass runs.

Blindness is checked on what the browser actually receives: every queue message of every event
started after "Start" (parsed from the server-sent-event bodies), every audio file's name and
header, and the listening panel's HTML. Before a vote none of it may name a release; after the
last vote the reveal must, which shows the check sees the traffic it claims to check.
"""

import base64
import json
import re
from dataclasses import replace

import httpx
import pytest
from helpers.browser import ARTIFACTS, running_app
from helpers.study import fill_bank

from kokoro_ui.abtest.material import load_sentences, voice_pairs
from kokoro_ui.abtest.store import open_store

pytestmark = pytest.mark.browser

RELEASE = re.compile(r"0[._]19|1[._]0(?!\d)|v019|v10(?!\d)", re.IGNORECASE)  # v0.19, v1_0, 0.19, ...
PlaywrightError = pytest.importorskip("playwright.sync_api").Error
CLIP_URL = re.compile(r"/gradio_api/file=/\S*/[0-9a-f]{64}/[0-9a-f]{32}\.wav$")
SENTENCES = "b1\tThe cat sat down.\nb2\tIt is raining.\nb3\tGood morning.\n"
VOICES = "af_bella,am_adam"
TRIALS = 10
CHOICES = ([("vote-a", "A", "A"), ("vote-b", "B", "B"), ("vote-none", "none", "no preference")] * 4)[:TRIALS]


class Traffic:
    """Every response body the page receives, read from Chromium's network layer (DevTools protocol).

    Gradio's event streams (``/queue/data``) are read chunk by chunk as they arrive, because the page
    aborts them when it is done, after which no body can be fetched."""

    def __init__(self, page):
        self._cdp = page.context.new_cdp_session(page)
        self._urls: dict[str, str] = {}
        self._streams: dict[str, list[bytes]] = {}  # request id -> chunks of an event stream
        self.bodies: list[tuple[str, bytes]] = []  # other responses, as they finish
        self.joined: list[str] = []  # event ids, in the order the page started them
        self._cdp.on("Network.responseReceived", self._received)
        self._cdp.on("Network.dataReceived", self._data)
        self._cdp.on("Network.loadingFinished", self._finished)
        self._cdp.send("Network.enable")

    def _received(self, params: dict) -> None:
        request, url = params["requestId"], params["response"]["url"]
        self._urls[request] = url
        if "/queue/data" in url:
            self._streams[request] = []
            try:
                buffered = self._cdp.send("Network.streamResourceContent", {"requestId": request})
                self._streams[request].append(base64.b64decode(buffered["bufferedData"]))
            except PlaywrightError:  # it finished already (and `_finished` saw it as a stream): read it whole
                self._streams[request] = [self._body(request)]

    def _data(self, params: dict) -> None:
        if params["requestId"] in self._streams and params.get("data"):
            self._streams[params["requestId"]].append(base64.b64decode(params["data"]))

    def _finished(self, params: dict) -> None:
        request = params["requestId"]
        url = self._urls.get(request)
        if url is None or request in self._streams:
            return
        body = self._body(request)
        self.bodies.append((url, body))
        if "/queue/join" in url:
            self.joined.append(json.loads(body)["event_id"])

    def _body(self, request: str) -> bytes:
        reply = self._cdp.send("Network.getResponseBody", {"requestId": request})
        return base64.b64decode(reply["body"]) if reply["base64Encoded"] else reply["body"].encode()

    def mark(self) -> tuple[int, int]:
        return len(self.bodies), len(self.joined)

    def outputs_since(self, mark: tuple[int, int], page, timeout_s: float = 15.0) -> dict[str, str]:
        """event id -> the JSON its completion carried, for every event started since `mark` (waiting
        for event streams still open)."""
        started = self.joined[mark[1]:]
        for _ in range(int(timeout_s * 10)):
            messages = self._completions()
            missing = [event for event in started if event not in messages]
            if not missing:
                return {event: messages[event] for event in started}
            page.wait_for_timeout(100)
        raise AssertionError(f"the outputs of events {missing} never arrived, so blindness cannot be checked")

    def _completions(self) -> dict[str, str]:
        messages = {}
        for chunks in list(self._streams.values()):
            for line in b"".join(chunks).decode("utf-8", errors="replace").splitlines():
                if line.startswith("data:"):
                    message = json.loads(line[5:])
                    if message.get("msg") == "process_completed":
                        messages[message["event_id"]] = json.dumps(message["output"].get("data"))
        return messages

    def files_since(self, mark: tuple[int, int]) -> list[tuple[str, bytes]]:
        return [(url, body) for url, body in self.bodies[mark[0]:] if "/gradio_api/file=" in url]


@pytest.fixture(scope="module")
def app(tmp_path_factory, synthetic_settings, manager):
    folder = tmp_path_factory.mktemp("listening")
    (folder / "sentences.txt").write_text(SENTENCES, encoding="utf-8")
    bank = fill_bank(manager, folder / "bank", load_sentences(folder / "sentences.txt"), voice_pairs(manager, VOICES),
                     seconds=0.6)
    settings = replace(synthetic_settings, votes_db=folder / "votes.sqlite3", listening_trials=TRIALS,
                       listening_sentences=folder / "sentences.txt", listening_voices=VOICES,
                       clip_bank=str(bank.folder), preload="v1.0,v0.19")
    with running_app(settings, releases_from=manager) as (base_url, app_manager):
        for release in ("v1.0", "v0.19"):
            app_manager.get_model(release)
        yield base_url, settings


def play_to_the_end(page, player: str) -> None:
    page.eval_on_selector(f"#{player} audio", "audio => { audio.currentTime = 0; return audio.play(); }")
    page.wait_for_function(f"document.querySelector('#{player} audio').ended", timeout=30_000)


def votes_disabled(page) -> list[bool]:
    return [page.is_disabled(f"#{button}") for button in ("vote-a", "vote-none", "vote-b")]


def assert_blind(traffic: Traffic, mark: tuple[int, int], page) -> None:
    for event, output in traffic.outputs_since(mark, page).items():
        assert not RELEASE.search(output), f"event {event} told the browser a release: {output[:300]}"
    files = traffic.files_since(mark)
    assert len(files) >= 2  # both clips were fetched and looked at
    for url, body in files:
        assert CLIP_URL.search(url), f"a clip's URL is not anonymous: {url}"
        assert body[:4] == b"RIFF" and body[36:40] == b"data", "a clip carries chunks besides fmt and data"
    panel = page.inner_html("#listen-panel")
    assert not RELEASE.search(panel), "the listening panel names a release before the vote"


def forward_passes(base_url: str) -> list:
    return [release["forward_passes"] for release in httpx.get(f"{base_url}/health", timeout=10).json()["versions"]]


def test_a_blind_session_from_start_to_reveal_runs_no_forward_pass_with_a_full_bank(browser, app):
    base_url, settings = app
    passes_before = forward_passes(base_url)  # the releases are the session's: count from here
    page = browser.new_page(viewport={"width": 1280, "height": 1100})
    traffic = Traffic(page)
    page.goto(base_url)
    page.get_by_role("tab", name="Listening test").click()
    page.wait_for_timeout(1_000)  # the page's own load events start (and are left out below)
    mark = traffic.mark()
    page.click("#listen-start")
    seen_clips: set[str] = set()
    for number, (button, choice, words) in enumerate(CHOICES, start=1):
        page.wait_for_function(f"document.querySelector('#listen-progress')?.innerText"
                               f".includes('{number} / {TRIALS}')", timeout=120_000)
        sources = [page.eval_on_selector(f"#listen-{c} audio", "a => a.src") for c in "ab"]
        assert not seen_clips & set(sources)  # fresh files every trial
        seen_clips.update(sources)
        assert votes_disabled(page) == [True, True, True]
        play_to_the_end(page, "listen-a")
        page.wait_for_timeout(800)  # let the play reports reach the server and come back
        assert votes_disabled(page) == [True, True, True]
        play_to_the_end(page, "listen-b")
        page.wait_for_function("!document.querySelector('#vote-a').disabled", timeout=10_000)
        assert votes_disabled(page) == [False, False, False]
        if number == 2:
            page.screenshot(path=str(ARTIFACTS / "listening.png"), full_page=True)
        assert_blind(traffic, mark, page)
        if number == 1:
            page.fill("#listen-comment textarea", "A felt warmer")
        mark = traffic.mark()
        page.click(f"#{button}")
    page.wait_for_selector("#listen-reveal-table", state="visible", timeout=60_000)
    page.wait_for_timeout(1_000)  # let the reveal fade in before the picture
    page.screenshot(path=str(ARTIFACTS / "listening_reveal.png"), full_page=True)
    reveal_outputs = " ".join(traffic.outputs_since(mark, page).values())
    assert RELEASE.search(reveal_outputs), "the check must see the reveal's releases: it sees the traffic"
    reveal = [[page.inner_text(f'#listen-reveal-table [data-testid="cell-{row}-{col}"]') for col in (0, 3, 4, 5)]
              for row in range(TRIALS)]
    tally = page.inner_text("#listen-tally")

    assert forward_passes(base_url) == passes_before  # every clip came from the bank
    stored = open_store(settings.votes_db).votes()
    assert len(stored) == TRIALS and len({vote.session_id for vote in stored}) == 1
    assert sum(vote.repeat_of is not None for vote in stored) == 1
    assert [vote.choice for vote in stored] == [choice for _, choice, _ in CHOICES]
    assert stored[0].comment == "A felt warmer"
    assert reveal == [[str(vote.trial), vote.a_release, vote.b_release, words]
                      for vote, (_, _, words) in zip(stored, CHOICES)]
    new_wins = sum(vote.preferred_release == "v1.0" for vote in stored)
    assert f"preferred v1.0 {'once' if new_wins == 1 else f'{new_wins} times'}" in tally
    assert all(vote.a_plays >= 1 and vote.b_plays >= 1 and vote.a_listened_s > 0 for vote in stored)
