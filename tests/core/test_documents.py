"""The one reader of hand-written documents: YAML in, every problem with its path out."""

from pathlib import Path

import pytest

from eskilstuna_trygghet.document_reader import DocumentReader, Problem, YamlError, read_yaml
from lagesbild import catalogue


def test_a_key_written_twice_is_an_error_naming_its_line() -> None:
    with pytest.raises(YamlError) as raised:
        read_yaml("rule:\n  yes: [1]\n  yes: [2]\n")
    assert raised.value.problem == Problem("rule.yes", "duplicate key (line 3)")


def test_bad_syntax_names_the_spot() -> None:
    with pytest.raises(YamlError, match=r"line 2, column \d+: YAML syntax"):
        read_yaml("a: [1\nb: 2\n")


def test_the_reader_notes_every_problem_and_goes_on() -> None:
    reader = DocumentReader()
    data = reader.mapping({"a": 1, "z": 2, True: 3}, "top", required=("a", "b"))
    assert data is not None
    assert reader.integer(data["a"], "top.a") == 1
    assert reader.string(" ", "top.s") is None
    assert reader.choice("up", "top.c", ("higher", "lower")) is None
    assert [str(p) for p in reader.problems] == [
        "top.z: unknown key (allowed here: a, b)",
        "top.True: a key was read as a boolean: quote it",
        "top: missing required key 'b'",
        "top.s: expected a non-empty string, got a string",
        "top.c: 'up' is not one of higher, lower",
    ]


def test_a_catalogue_file_with_a_key_written_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The catalogue reads its YAML like a questionnaire: a second `yes:` is an error, not
    a silent overwrite of the first."""
    text = (catalogue.CATALOGUE_DIR / f"v{catalogue.CURRENT_VERSION}.yaml").read_text("utf-8")
    doubled = text.replace(", yes: [", ", yes: [9], yes: [", 1)
    assert doubled != text
    (tmp_path / "v98.yaml").write_text(doubled, encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE_DIR", tmp_path)
    with pytest.raises(catalogue.CatalogueError, match=r"v98\.yaml: .*yes: duplicate key"):
        catalogue.load_catalogue(98)
