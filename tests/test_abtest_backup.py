"""The votes backup's export, on a local folder (the hub cannot be reached here): new files only, each
loading back with pandas into exactly the rows of its table (votes; quality checks, also those answered
after their session's votes were exported); and the checks made before any upload."""

import dataclasses
import math
import typing

import pandas as pd
import pytest

from helpers.study import session_book

from kokoro_ui.abtest.backup import VoteExporter, start_backup
from kokoro_ui.abtest.material import Sentence, voice_pairs
from kokoro_ui.abtest.records import VoteRecord
from kokoro_ui.abtest.sessions import SessionBook
from kokoro_ui.errors import KokoroUIError

SENTENCES = [Sentence("e1", "One."), Sentence("e2", "Two, \"quoted\".")]


def cast(book: SessionBook, session_id: str, choice: str, comment: str) -> None:
    trial = book.current_trial(session_id)
    book.show(session_id, trial.number, real_speech=True)
    for clip in trial.clips:
        book.report(session_id, trial.number, clip, "play")
        book.report(session_id, trial.number, clip, "end")
    book.vote(session_id, trial.number, choice, comment)


def loaded(path) -> list[VoteRecord]:
    """A CSV export as pandas reads it, turned back into records by the fields' types."""
    frame = pd.read_csv(path)
    hints = typing.get_type_hints(VoteRecord)
    records = []
    for row in frame.to_dict("records"):
        values = {}
        for field in dataclasses.fields(VoteRecord):
            value = row[field.name]
            optional = type(None) in typing.get_args(hints[field.name])
            kind = typing.get_args(hints[field.name])[0] if optional else hints[field.name]
            if isinstance(value, float) and math.isnan(value):  # an empty cell: NULL where allowed, else ''
                values[field.name] = None if optional else ""
            else:
                values[field.name] = value in (True, "True") if kind is bool else kind(value)
        records.append(VoteRecord(**values))
    return records


@pytest.fixture
def book(tmp_path, manager) -> SessionBook:
    return session_book(tmp_path, SENTENCES, voice_pairs(manager, "af_bella"), 3)


def test_an_export_loads_back_with_pandas_and_matches_the_table(book, tmp_path):
    session = book.start()
    for choice, comment in (("A", 'says "hi", then, leaves'), ("none", "line one\nline two"), ("B", "")):
        cast(book, session.id, choice, comment)
    (path,) = VoteExporter(book.store, tmp_path / "backup").export()  # no quality check in this study
    assert path.name.startswith("votes-") and path.suffix == ".csv"
    assert loaded(path) == book.store.votes()


def test_each_export_is_a_new_file_of_new_votes_and_old_files_stay_as_they_were(book, tmp_path):
    exporter = VoteExporter(book.store, tmp_path / "backup")
    first_session = book.start()
    cast(book, first_session.id, "A", "first")
    (first,) = exporter.export()
    first_bytes = first.read_bytes()
    assert exporter.export() == []  # nothing new, no file
    cast(book, first_session.id, "B", "second")
    (second,) = exporter.export()
    assert second != first and first.read_bytes() == first_bytes
    assert [vote.comment for vote in loaded(second)] == ["second"]
    combined = [vote for path in sorted((tmp_path / "backup").glob("votes-*.csv")) for vote in loaded(path)]
    assert combined == book.store.votes()


def test_an_exporter_started_again_on_the_same_folder_does_not_export_twice(book, tmp_path):
    session = book.start()
    cast(book, session.id, "A", "")
    VoteExporter(book.store, tmp_path / "backup").export()
    again = VoteExporter(book.store, tmp_path / "backup")  # as after a restart that kept the folder
    assert again.export() == []
    cast(book, session.id, "B", "")
    (path,) = again.export()
    assert len(loaded(path)) == 1


def test_a_check_answered_after_its_session_s_votes_were_exported_reaches_a_later_file(tmp_path, manager):
    book = session_book(tmp_path, SENTENCES, voice_pairs(manager, "af_bella"), 3, attention_check=True)
    exporter = VoteExporter(book.store, tmp_path / "backup")
    session = book.start()
    cast(book, session.id, "A", "")  # the attention trial is never the first
    assert [path.name.split("-")[0] for path in exporter.export()] == ["votes"]
    while book.current_trial(session.id) is not None:
        cast(book, session.id, "B", "")
    written = exporter.export()
    assert sorted(path.name.split("-")[0] for path in written) == ["checks", "votes"]
    (checks,) = [path for path in written if path.name.startswith("checks-")]
    stored = book.store.checks()
    assert [check.kind for check in stored] == ["attention"]
    frame = pd.read_csv(checks, dtype=str, keep_default_na=False)
    assert frame.to_dict("records") == [{**{name: str(value) for name, value in dataclasses.asdict(check).items()},
                                         "participant": check.participant or ""} for check in stored]
    assert exporter.export() == [] and VoteExporter(book.store, tmp_path / "backup").export() == []


def test_the_backup_needs_a_dataset_name_and_a_token_before_anything_is_uploaded(book, tmp_path):
    with pytest.raises(KokoroUIError, match="HF_TOKEN is not"):
        start_backup(book.store, "me/votes", tmp_path, 10, None)
    with pytest.raises(KokoroUIError, match="'<owner>/<name>'"):
        start_backup(book.store, "not a dataset", tmp_path, 10, "hf_x")
