"""Two processes that start on an empty weights cache at once both get a whole cache (`weights.staging`).

Without the lock each would stage into the same `.partial` folder and delete the other's half-written
files (replicas of the app starting together on a fresh machine; test workers).
"""

import subprocess
import sys

import pytest

from kokoro_ui.builds import BUILDS
from kokoro_ui.weights.sources import folder_source, holds_release

pytestmark = pytest.mark.slow

WRITE = """
import sys
from pathlib import Path
from kokoro_ui.builds import BUILDS
from kokoro_ui.weights.resolve import resolve_source
resolve_source(BUILDS["v0.19"].spec, "synthetic", Path(sys.argv[1]), Path(sys.argv[1]), 41)
"""


def test_two_processes_writing_one_synthetic_cache_at_once_both_get_it_whole(tmp_path):
    writers = [subprocess.Popen([sys.executable, "-c", WRITE, str(tmp_path)], stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    errors = [writer.communicate(timeout=300)[1] for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0], errors
    root = tmp_path / "synthetic-seed41"
    spec = BUILDS["v0.19"].spec
    assert holds_release(folder_source(root, spec), spec) and (root / spec.folder / "SYNTHETIC.json").is_file()
    assert sorted(path.name for path in root.iterdir()) == [spec.folder, f"{spec.folder}.lock"]  # no staging left
