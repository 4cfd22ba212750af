"""Where the `compiled` backend keeps its decoders: on the persistent storage the settings name.

A Space's disk is wiped on restart and `/data` is not, so a build kept there is reused after a
restart. The folder comes from `KOKORO_UI_PERSISTENT_DIR` (through the manager and `BackendChoice`),
not from a path of the backend's own.
"""

import json
from dataclasses import replace

from kokoro_ui.backends.compiled import MIN_LOG_MEL_CORRELATION, artifact_key, build_root
from kokoro_ui.services.manager import ModelManager


def test_a_writable_persistent_dir_is_where_the_compiled_decoder_is_kept(synthetic_settings, v1, tmp_path):
    """A build already on persistent storage is found there by a fresh manager, before any compile starts."""
    persistent = tmp_path / "data"
    kept = persistent / "kokoro_ui" / "compiled" / v1.spec.folder / f"aoti-{artifact_key(v1.kmodel)[:24]}"
    kept.mkdir(parents=True)
    # a build whose check measured too low: the backend reads it and refuses it, so nothing is compiled here
    (kept / "report.json").write_text(json.dumps({"log_mel_correlation": [MIN_LOG_MEL_CORRELATION / 2],
                                                  "check_tokens": [30]}))
    manager = ModelManager(replace(synthetic_settings, backend="compiled", persistent_dir=persistent))
    release = manager.get_model("v1.0")
    assert release.backend.folder == kept
    assert release.backend.ready.is_set() and release.backend.compiler is None
    assert release.info.backend_note.startswith("compiled decoder refused"), release.info.backend_note


def test_without_persistent_storage_builds_go_beside_the_weights(synthetic_settings, v1, tmp_path):
    assert replace(synthetic_settings, persistent_dir=tmp_path / "no-such-folder").persistent_root() is None
    assert build_root(v1.spec, v1.source, None) == v1.source.file(v1.spec.checkpoint_file).parent
