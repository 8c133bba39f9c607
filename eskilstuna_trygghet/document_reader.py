"""Reading a document an author wrote (YAML) into typed values, reporting every problem.

The questionnaire (`surveys.questionnaire.validation`) and the indicator catalogue
(`lagesbild.catalogue`) are both documents a person edits by hand. Both are read with
`DocumentReader`: each check notes a `Problem` with its path ("pages[2].items[0].code")
and reading goes on, so the author sees every problem at once, in the same words for
both documents. Both parse their YAML with `read_yaml`. Pure Python: no Django.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, cast

import yaml


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '<document>'}: {self.message}"


def join_path(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def describe(value: object) -> str:
    """What a value is, in an author's words ("a list", "an integer")."""
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "a boolean"}
    for kind, name in names.items():
        if isinstance(value, kind):
            return name
    if isinstance(value, int):
        return "an integer"
    return "nothing" if value is None else type(value).__name__


def problems_text(document: str, problems: Collection[Problem]) -> str:
    """An error message: "invalid <document> (N problems):", then one line per problem."""
    count = f"{len(problems)} problem{'' if len(problems) == 1 else 's'}"
    return f"invalid {document} ({count}):\n" + "\n".join(f"  {problem}" for problem in problems)


class YamlError(ValueError):
    """The text is no YAML document we read: its syntax, or a key written twice."""

    def __init__(self, problem: Problem) -> None:
        self.problem = problem
        super().__init__(str(problem))


def read_yaml(text: str, *, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> object:
    """The YAML document in ``text`` (``loader``: a SafeLoader or a subclass of it).

    A key written twice in one mapping is an error (PyYAML would silently keep the last:
    a second ``sv:`` or ``yes:`` must not overwrite the first), like bad syntax.
    """
    try:
        _check_duplicate_keys(yaml.compose(text, Loader=loader), "", set())
        return yaml.load(text, Loader=loader)  # noqa: S506 - a SafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "<yaml>"
        raise YamlError(Problem(where, f"YAML syntax: {error.problem}")) from None
    except yaml.YAMLError as error:
        raise YamlError(Problem("<yaml>", f"YAML syntax: {error}")) from None


def _check_duplicate_keys(node: yaml.Node | None, path: str, visited: set[int]) -> None:
    if node is None or id(node) in visited:
        return  # aliases point at nodes already checked; skipping also defuses alias bombs
    visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                line = key_node.start_mark.line + 1
                raise YamlError(Problem(join_path(path, key), f"duplicate key (line {line})"))
            seen.add(key)
            _check_duplicate_keys(value_node, join_path(path, key), visited)
    elif isinstance(node, yaml.SequenceNode):
        for index, child in enumerate(node.value):
            _check_duplicate_keys(child, f"{path}[{index}]", visited)


class DocumentReader:
    """The generic shapes of a document; a subclass reads its own document with them.

    Every check notes its problem and returns None (or an empty value) instead of raising,
    so one pass finds every problem; the caller raises its own error when ``problems`` is
    not empty.
    """

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def mapping(
        self, value: object, path: str, required: Collection[str], optional: Collection[str] = ()
    ) -> Mapping[str, Any] | None:
        """A mapping with exactly the allowed keys; missing and unknown keys are problems
        (the mapping is still returned, so its other keys are checked too)."""
        if not isinstance(value, Mapping):
            self.fail(path, f"expected a mapping, got {describe(value)}")
            return None
        allowed = set(required) | set(optional)
        for key in value:
            if isinstance(key, bool):
                # YAML 1.1 reads a bare yes/no/on/off key as true/false.
                self.fail(join_path(path, str(key)), "a key was read as a boolean: quote it")
            elif key not in allowed:
                expected = ", ".join(sorted(allowed))
                self.fail(join_path(path, str(key)), f"unknown key (allowed here: {expected})")
        for key in required:
            if key not in value:
                self.fail(path, f"missing required key '{key}'")
        return cast(Mapping[str, Any], value)

    def sequence(self, value: object, path: str, *, non_empty: bool = True) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, f"expected a list, got {describe(value)}")
            return []
        if non_empty and not value:
            self.fail(path, "must not be empty")
        return value

    def string(self, value: object, path: str) -> str | None:
        if isinstance(value, str) and value.strip():
            return value.strip()
        self.fail(path, f"expected a non-empty string, got {describe(value)}")
        return None

    def boolean(self, value: object, path: str) -> bool:
        if isinstance(value, bool):
            return value
        self.fail(path, f"expected true or false, got {describe(value)}")
        return False

    def integer(self, value: object, path: str) -> int | None:
        # bool is an int subclass; "required: yes" must not pass as the number 1.
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        self.fail(path, f"expected an integer, got {describe(value)}")
        return None

    def choice[T: str](self, value: object, path: str, allowed: tuple[T, ...]) -> T | None:
        for option in allowed:
            if value == option:
                return option
        self.fail(path, f"{value!r} is not one of {', '.join(allowed)}")
        return None
