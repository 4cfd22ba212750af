"""Voice samples: rendered once, kept on disk by what decides their sound, and rendered in the
background only when every release is loaded and no visitor is being served."""

import threading
import time

from kokoro_ui.services.manager import ModelManager
from kokoro_ui.samples.cache import SampleCache
from kokoro_ui.samples.renderer import SampleJob, SampleRenderer, gallery_jobs

TEXT = "Hello there."


def test_a_sample_is_rendered_once_then_served_from_disk(v1, manager, tmp_path):
    cache = SampleCache(manager, tmp_path)
    first = cache.get("v1.0", "af_bella", TEXT)
    passes = v1.forward_passes
    again = SampleCache(manager, tmp_path).get("v1.0", "af_bella", TEXT)  # a new process would do the same
    assert again.path == first.path and first.path.exists() and v1.forward_passes == passes
    assert not first.real_speech


def test_a_sample_s_file_is_named_by_its_voice_pack_text_speed_and_release(manager, tmp_path):
    cache = SampleCache(manager, tmp_path)
    names = {cache.get(*key).path for key in [("v1.0", "af_bella", TEXT), ("v1.0", "af_bella", "Hi."),
                                              ("v1.0", "af_bella", TEXT, 1.5), ("v1.0", "af_bella(2)+af_sky(1)", TEXT),
                                              ("v0.19", "af_bella", TEXT)]}
    assert len(names) == 5
    assert cache.ready("v1.0", "af_bella(4)+af_sky(2)", TEXT)  # the same mix, written otherwise: the same pack


def test_the_renderer_waits_until_every_release_is_loaded(synthetic_settings, tmp_path):
    fresh = ModelManager(synthetic_settings)  # nothing loaded, and nothing will be
    renderer = SampleRenderer(SampleCache(fresh, tmp_path), [SampleJob("v1.0", "af_bella", TEXT)], poll_s=0.05).start()
    time.sleep(0.5)
    renderer.stop()
    assert renderer.rendered == 0 and not list(tmp_path.glob("*.wav"))


def test_the_renderer_never_goes_ahead_of_a_visitor(v1, v019, manager, tmp_path):
    cache = SampleCache(manager, tmp_path)
    renderer = SampleRenderer(cache, [SampleJob("v1.0", "af_sky", TEXT)], poll_s=0.05)
    with v1.forward_gate.passing():  # a visitor's pass under way on v1.0
        renderer.start()
        time.sleep(0.5)
        assert not cache.ready("v1.0", "af_sky", TEXT)
    assert renderer.join(120) and renderer.rendered == 1 and cache.ready("v1.0", "af_sky", TEXT)


def test_the_renderer_waits_while_a_visitor_s_request_is_in_progress(v1, v019, manager, tmp_path):
    cache = SampleCache(manager, tmp_path)
    ticket = manager.admission.admit("v0.19")  # a visitor's run on the other release, between two passes
    renderer = SampleRenderer(cache, [SampleJob("v1.0", "af_nova", TEXT)], poll_s=0.05).start()
    time.sleep(0.5)
    assert not cache.ready("v1.0", "af_nova", TEXT)
    ticket.release()
    assert renderer.join(120) and cache.ready("v1.0", "af_nova", TEXT)


def test_the_gallery_jobs_are_every_voice_that_can_speak_here_default_release_first(manager):
    jobs = gallery_jobs(manager)
    assert len(jobs) == 54 + 11 and jobs[0].version == "v1.0" and jobs[-1].version == "v0.19"
    assert len({(job.version, job.voice) for job in jobs}) == len(jobs)


def test_two_visitors_asking_for_one_sample_render_it_once(v1, manager, tmp_path):
    cache = SampleCache(manager, tmp_path)
    passes = v1.forward_passes
    threads = [threading.Thread(target=cache.get, args=("v1.0", "am_adam", TEXT)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    together = v1.forward_passes - passes
    SampleCache(manager, tmp_path / "alone").get("v1.0", "am_adam", TEXT)
    assert together == v1.forward_passes - passes - together and len(list(tmp_path.glob("*.wav"))) == 1
