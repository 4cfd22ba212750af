"""The Space's start-up, rehearsed offline: `SPACE_ID` set, `HF_HUB_OFFLINE=1`, both releases loaded
through the hub code path (`hf_hub_download`) from a Hugging Face cache in the hub's own layout.

The cache holds the session's synthetic files (built by the `manager` fixture) under both pinned
repositories and revisions: ``blobs/<sha256>``, ``snapshots/<commit>/<hub name>`` pointing at the
blob, ``refs/main`` naming the commit. Two real app processes, started together:
- `python app.py` as it is: the published digests refuse the synthetic checkpoints, with the
  message users see, in `/health` and as a 503 from the API;
- the same app with the builds pinned to the synthetic checkpoints' digests (`app.main(builds=…)`),
  nothing else changed: both releases load from the hub cache and speak.
"""

import hashlib
import os
import time
from pathlib import Path

import httpx
import pytest
from helpers.study import app_processes

from kokoro_ui.builds import BUILDS
from kokoro_ui.weights.spec import ReleaseSpec
from kokoro_ui.weights.synthetic import synthetic_source
from kokoro_ui.weights.voices import load_manifest

pytestmark = pytest.mark.slow

LEGACY_COMMIT = "0" * 39 + "1"  # kLegacy is pinned to 'main' (no commit confirmed): refs/main names this one
SETTLED = {"ready", "failed"}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fill_hub_cache(hub_cache: Path, spec: ReleaseSpec, files: dict[str, Path]) -> str:
    """`files` (hub-relative name -> file) as the hub's cache holds them; returns the checkpoint's sha256."""
    repo = hub_cache / f"models--{spec.hub_repo.replace('/', '--')}"
    commit = LEGACY_COMMIT if spec.hub_revision == "main" else spec.hub_revision
    (repo / "blobs").mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(commit)  # no newline: huggingface_hub reads the file as it is
    digests = {}
    for relative, source in files.items():
        digests[relative] = sha256(source)
        blob = repo / "blobs" / digests[relative]
        if not blob.exists():
            try:
                os.link(source, blob)  # no copy of 300 MB checkpoints where the file system allows
            except OSError:
                blob.symlink_to(source)
        pointer = repo / "snapshots" / commit / spec.hub_prefix / relative
        pointer.parent.mkdir(parents=True, exist_ok=True)
        pointer.symlink_to(os.path.relpath(blob, pointer.parent))
    return digests[spec.checkpoint_file]


@pytest.fixture(scope="module")
def space_apps(tmp_path_factory, manager):
    folder = tmp_path_factory.mktemp("space")
    settings, synthetic_digests = manager.settings, {}
    for version, build in BUILDS.items():
        spec = build.spec
        voices = load_manifest(spec.folder)
        source = synthetic_source(settings.cache_dir, spec, settings.synthetic_seed, voices)
        names = ["config.json", spec.checkpoint_file, *(voice.file for voice in voices)]
        synthetic_digests[version] = fill_hub_cache(folder / "hub", spec, {name: source.file(name) for name in names})
    env = {"SPACE_ID": "rehearsal/kokoro-ab", "HF_HUB_OFFLINE": "1", "HF_HOME": str(folder / "hf"),
           "HF_HUB_CACHE": str(folder / "hub"), "KOKORO_UI_WEIGHTS": "hub",  # as .huggingface.yml sets it
           "KOKORO_UI_CACHE_DIR": str(folder / "cache"),  # empty: nothing synthetic to fall back on
           "KOKORO_UI_VOTES_DB": str(folder / "votes.sqlite3"), "KOKORO_UI_SAMPLES_DIR": str(folder / "samples"),
           "KOKORO_UI_PRERENDER_SAMPLES": "false"}  # the gallery's samples would be forward passes of their own
    pinned_to_synthetic = (
        "import dataclasses, app\n"
        "from kokoro_ui.builds import BUILDS\n"
        f"digests = {synthetic_digests!r}\n"
        "app.main(builds={version: dataclasses.replace(build, spec=dataclasses.replace(\n"
        "    build.spec, checkpoint_sha256=digests[version])) for version, build in BUILDS.items()})\n")
    with app_processes([env, env], [folder / "published.log", folder / "synthetic.log"], loaded=None,
                       programs=[["app.py"], ["-c", pinned_to_synthetic]]) as (published, pinned):
        yield settled_health(published), settled_health(pinned), published, pinned


def settled_health(app, timeout_s: float = 600) -> dict:
    """The app's /health once every release is ready or failed."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if app.process.poll() is not None:
            raise RuntimeError(f"the app exited with {app.process.returncode}: {app.log.read_text()[-2000:]}")
        try:
            response = httpx.get(f"{app.url}/health", timeout=5)  # 503 while the app is starting (kokoro_ui.serving.boot)
        except httpx.HTTPError:
            response = None
        if response is not None and response.status_code == 200:
            health = response.json()
            if all(release["state"] in SETTLED for release in health["versions"]):
                return health
        time.sleep(0.5)
    raise RuntimeError(f"the app at {app.url} did not settle in {timeout_s} s: {app.log.read_text()[-2000:]}")


def speech(url: str, version: str) -> httpx.Response:
    return httpx.post(f"{url}/v1/audio/speech", json={"input": "Hi there.", "version": version,
                                                      "response_format": "wav"}, timeout=300)


def test_the_published_digests_refuse_other_checkpoints_with_the_message_users_see(space_apps):
    health, _, published, _ = space_apps
    assert health["status"] == "degraded" and health["weights_setting"] == "hub"
    for release in health["versions"]:
        spec = BUILDS[release["version"]].spec
        assert release["state"] == "failed" and not release["loaded"], release
        assert (f"Kokoro {spec.version}: {spec.checkpoint_file} from the hub has sha256 " in release["error"]
                and f", not the published {spec.checkpoint_sha256[:12]}…; refusing weights" in release["error"]), release
        refused = speech(published.url, spec.version)
        assert refused.status_code == 503, refused.text
        assert "This release is unavailable" in refused.text and "not the published" in refused.text


def test_both_releases_load_through_the_hub_cache_and_speak(space_apps):
    _, health, _, pinned = space_apps
    assert health["status"] == "ok", health
    for release in health["versions"]:
        spec = BUILDS[release["version"]].spec
        assert release["state"] == "ready" and release["weights_kind"] == "hub", release
        assert release["weights"] == f"hub {spec.hub_repo}@{spec.hub_revision[:7]}"
        answer = speech(pinned.url, spec.version)
        assert answer.status_code == 200, answer.text
        assert answer.content[:4] == b"RIFF" and len(answer.content) > 44 + 2 * 2400  # a WAV with > 0.1 s of audio
