"""Evaluation: synthesise, then measure (`kokoro_ui.measures`), one request or a whole test set.

`single` speaks one request and measures it (the API, the named API and the test-set runner
share it); `test_set` reads the categorised sentences; `runner` runs them through both releases
into metrics.csv, resumably; `summary` pairs the releases per category with bootstrap intervals
and Wilcoxon tests; `report` writes report.html. Boundary: no HTTP, no Gradio.
"""
