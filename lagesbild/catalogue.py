"""The indicator catalogue: "yes" and valid answers (long because its YAML parser is here).

The catalogue is data (``lagesbild/catalogue/v<version>.yaml``); this module loads and
validates it into frozen dataclasses, checks it against a questionnaire's options, and
holds the plain-Python reference evaluator `evaluate`, which the SQL aggregation is tested
against. Keep `evaluate` boring and obviously correct.

Rule kinds (docs/codebook.md):

* `SimpleRule`: one question. yes = the answer code is in ``yes``; valid = the answer code
  is one of the question's ``options`` and not in ``exclude``. A skipped question, a list
  for a single-choice question or an unknown code is not valid.
* `AnyOfRule` (derived: TRY05, UTS00, TRYIDX): yes when any component is yes; valid when
  any component is yes or every component is valid.
* `PlacesRule` (TRY07): one cell per listed place; valid when the question was answered at
  all (at least one known option, "nowhere" included); yes when the place was selected.
  Only code strings count here (a list of them, or one); unlike single answers, a number
  is not read as a code, matching the SQL pass (JSONB `?` matches strings only).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from eskilstuna_trygghet.document_reader import (
    DocumentReader,
    YamlError,
    join_path,
    problems_text,
    read_yaml,
)
from lagesbild.disclosure import RuleParams

GroupName = Literal["trygghet", "utsatthet", "exponering", "skydd", "fortroende"]
Polarity = Literal["higher_worse", "higher_better"]
GeographyName = Literal["home", "school"]
Answer = str | list[str] | int

GROUPS: tuple[GroupName, ...] = ("trygghet", "utsatthet", "exponering", "skydd", "fortroende")
POLARITIES: tuple[Polarity, ...] = ("higher_worse", "higher_better")
GEOGRAPHIES: tuple[GeographyName, ...] = ("home", "school")

CATALOGUE_DIR = Path(__file__).with_name("catalogue")


class CatalogueError(ValueError):
    """The catalogue file is malformed; the message names the file and every problem's
    path (read with `eskilstuna_trygghet.document_reader.DocumentReader`, like a questionnaire)."""


# --------------------------------------------------------------------------- model


@dataclass(frozen=True)
class LocalText:
    sv: str
    en: str

    def get(self, language: str) -> str:
        """The text in ``language``; Swedish is the master and the fallback."""
        return self.en if language.startswith("en") else self.sv


def _answer_code(answer: object) -> str | None:
    """A single-choice answer as its code string, or None if it is not a single code."""
    if isinstance(answer, bool):  # bool is an int subclass; never an answer code
        return None
    if isinstance(answer, int):
        return str(answer)
    if isinstance(answer, str):
        return answer
    return None


@dataclass(frozen=True)
class SimpleRule:
    question: str
    options: tuple[str, ...]
    yes: frozenset[str]
    exclude: frozenset[str]

    @property
    def yes_codes(self) -> frozenset[str]:
        """Answer codes counted as yes (for the SQL builder)."""
        return self.yes

    @property
    def valid_codes(self) -> frozenset[str]:
        """Answer codes counted in n (for the SQL builder): options minus excluded."""
        return frozenset(self.options) - self.exclude

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question,)

    def evaluate(self, answers: Mapping[str, Answer]) -> bool | None:
        """True (yes), False (valid no) or None (skipped or not valid)."""
        if self.question not in answers:
            return None
        code = _answer_code(answers[self.question])
        if code is None or code not in self.valid_codes:
            return None
        return code in self.yes


@dataclass(frozen=True)
class AnyOfRule:
    components: tuple[SimpleRule, ...]

    @property
    def questions(self) -> tuple[str, ...]:
        return tuple(c.question for c in self.components)

    def evaluate(self, answers: Mapping[str, Answer]) -> bool | None:
        results = [c.evaluate(answers) for c in self.components]
        if any(r is True for r in results):
            return True
        if all(r is False for r in results):
            return False
        return None


@dataclass(frozen=True)
class PlaceCell:
    code: str
    name: LocalText


@dataclass(frozen=True)
class PlacesRule:
    question: str
    options: tuple[str, ...]
    cells: tuple[PlaceCell, ...]

    @property
    def questions(self) -> tuple[str, ...]:
        return (self.question,)

    @property
    def place_codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.cells)

    def selected(self, answers: Mapping[str, Answer]) -> frozenset[str] | None:
        """The known options selected, or None when the question was not answered."""
        if self.question not in answers:
            return None
        raw = answers[self.question]
        items: list[object] = list(raw) if isinstance(raw, list) else [raw]
        chosen = frozenset(i for i in items if isinstance(i, str) and i in self.options)
        return chosen or None


Rule = SimpleRule | AnyOfRule | PlacesRule


@dataclass(frozen=True)
class Indicator:
    code: str
    name: LocalText
    description: LocalText
    group: GroupName
    polarity: Polarity
    geography: GeographyName
    period: LocalText
    rule: Rule

    @property
    def cell_keys(self) -> tuple[str, ...]:
        """Cell keys of this indicator: its code, or "TRY07:3" style for each place."""
        if isinstance(self.rule, PlacesRule):
            return tuple(f"{self.code}:{p}" for p in self.rule.place_codes)
        return (self.code,)

    @property
    def questions(self) -> tuple[str, ...]:
        return self.rule.questions

    @property
    def higher_is_better(self) -> bool:
        return self.polarity == "higher_better"


@dataclass(frozen=True)
class Catalogue:
    name: str
    version: int
    rule_params: RuleParams
    indicators: tuple[Indicator, ...]

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(i.code for i in self.indicators)

    def get(self, code: str) -> Indicator | None:
        for indicator in self.indicators:
            if indicator.code == code:
                return indicator
        return None

    def __getitem__(self, code: str) -> Indicator:
        indicator = self.get(code)
        if indicator is None:
            raise KeyError(code)
        return indicator

    def in_group(self, group: GroupName) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.group == group)


# --------------------------------------------------------------------------- evaluation


def evaluate(indicator: Indicator, answers: Mapping[str, Answer]) -> list[tuple[str, bool | None]]:
    """Reference evaluation of one answer sheet: per cell key, True (yes), False (valid
    no) or None (not in the base n). ``answers`` maps question codes to answer codes; a
    skipped question has no key; a multiple-choice answer is a list of codes."""
    rule = indicator.rule
    if isinstance(rule, PlacesRule):
        chosen = rule.selected(answers)
        return [
            (f"{indicator.code}:{place}", None if chosen is None else place in chosen)
            for place in rule.place_codes
        ]
    return [(indicator.code, rule.evaluate(answers))]


# --------------------------------------------------------------------------- checking


def check_against_questionnaire(
    catalogue: Catalogue, question_options: Mapping[str, set[str]]
) -> list[str]:
    """Problems between the catalogue and a questionnaire's ``{question: {option codes}}``.

    Reported: a referenced question that does not exist; an option the catalogue names
    that the question does not have; and an option the question has that the catalogue
    does not list (it would silently never count as valid). An empty list means they fit.
    """
    problems: list[str] = []
    for indicator in catalogue.indicators:
        rule = indicator.rule
        parts: Sequence[SimpleRule | PlacesRule] = (
            rule.components if isinstance(rule, AnyOfRule) else (rule,)
        )
        for part in parts:
            where = f"{indicator.code}: question {part.question}"
            if part.question not in question_options:
                problems.append(f"{where} does not exist in the questionnaire")
                continue
            existing = {str(o) for o in question_options[part.question]}
            for option in part.options:
                if option not in existing:
                    problems.append(f"{where} has no option {option!r}")
            for option in sorted(existing - set(part.options), key=_code_sort_key):
                problems.append(
                    f"{where}: questionnaire option {option!r} is not in the catalogue's "
                    "options (it would never count as valid)"
                )
    return problems


def _code_sort_key(code: str) -> tuple[int, str]:
    return (int(code), "") if code.isdigit() else (1 << 30, code)


# --------------------------------------------------------------------------- loading


class _Yaml12BoolLoader(yaml.SafeLoader):
    """SafeLoader where only true/false are booleans (as in YAML 1.2).

    PyYAML follows YAML 1.1, where a bare ``yes`` (our rule key!), ``no``, ``on`` and
    ``off`` are booleans; here they stay strings.
    """


_Yaml12BoolLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12BoolLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


# The newest catalogue: new waves are computed with it and pages take their indicator
# names from it. A published wave keeps the version it was frozen with
# (WavePublication.catalogue_version); names are display text and not part of its snapshot.
CURRENT_VERSION = 2


@functools.cache
def load_catalogue(version: int = CURRENT_VERSION) -> Catalogue:
    """Load and validate ``catalogue/v<version>.yaml`` (cached: the file is immutable)."""
    path = CATALOGUE_DIR / f"v{version}.yaml"
    if not path.is_file():
        raise CatalogueError(f"no catalogue version {version} ({path.name} not found)")
    try:
        data = read_yaml(path.read_text(encoding="utf-8"), loader=_Yaml12BoolLoader)
    except YamlError as error:
        raise CatalogueError(f"{path.name}: {error.problem}") from None
    catalogue = parse_catalogue(data, source=path.name)
    if catalogue.version != version:
        raise CatalogueError(f"{path.name}: version is {catalogue.version}, expected {version}")
    return catalogue


def _counting(catalogue: Catalogue) -> object:
    """Everything that decides a catalogue's numbers: all but names and descriptions."""
    return (
        catalogue.rule_params,
        tuple(
            (i.code, i.group, i.polarity, i.geography, i.period, i.rule)
            for i in catalogue.indicators
        ),
    )


@functools.cache
def comparable_versions(version: int) -> tuple[int, ...]:
    """The versions up to ``version`` that count exactly as it does (oldest first).

    A version that only renames indicators computes the same cells, so a change since a
    wave published with an older such version is still a valid comparison.
    """
    counting = _counting(load_catalogue(version))
    return tuple(v for v in range(1, version + 1) if _counting(load_catalogue(v)) == counting)


def parse_catalogue(data: object, source: str = "<catalogue>") -> Catalogue:
    """Validate parsed YAML into a `Catalogue`; the error names ``source`` and lists every
    problem with its path."""
    reader = _Reader()
    catalogue = reader.catalogue(data)
    if reader.problems or catalogue is None:
        raise CatalogueError(f"{source}: {problems_text('catalogue', reader.problems)}")
    return catalogue


_TOP_KEYS = ("catalogue", "version", "disclosure", "indicators")
_INDICATOR_KEYS = (
    "code",
    "name",
    "description",
    "group",
    "polarity",
    "geography",
    "period",
    "rule",
)
_SIMPLE_KEYS = ("question", "options", "yes", "exclude")
_PLACES_KEYS = ("question", "options", "cells")
_LOCAL_KEYS = ("sv", "en")


class _Reader(DocumentReader):
    """The catalogue's own shapes on the shared document checks: a part with a problem
    reads as None, and its parent is then left out (its problem is already noted)."""

    def local(self, value: object, path: str) -> LocalText | None:
        data = self.mapping(value, path, _LOCAL_KEYS)
        if data is None:
            return None
        sv, en = (self.string(data.get(k), join_path(path, k)) for k in _LOCAL_KEYS)
        return LocalText(sv, en) if sv is not None and en is not None else None

    def code(self, value: object, path: str) -> str | None:
        # Option codes are strings; YAML integers are accepted and read as strings.
        if isinstance(value, bool) or not isinstance(value, int | str):
            self.fail(path, f"expected an option code, got {value!r}")
            return None
        code = str(value)
        if not code or code != code.strip():
            self.fail(path, f"bad option code {value!r}")
            return None
        return code

    def codes(self, value: object, path: str, *, allow_empty: bool) -> tuple[str, ...] | None:
        if not isinstance(value, list):
            self.fail(path, "expected a list of option codes")
            return None
        read = [self.code(v, f"{path}[{i}]") for i, v in enumerate(value)]
        codes = tuple(code for code in read if code is not None)
        if len(codes) != len(read):
            return None
        if len(set(codes)) != len(codes):
            self.fail(path, "duplicate option code")
            return None
        if not codes and not allow_empty:
            self.fail(path, "must not be empty")
            return None
        return codes

    def question(self, value: object, path: str) -> str | None:
        name = self.string(value, path)
        if name is not None and (not name.replace("_", "").isalnum() or name != name.upper()):
            self.fail(path, f"bad question code {name!r}")
            return None
        return name

    def subset(self, codes: tuple[str, ...], options: tuple[str, ...], path: str) -> bool:
        outside = [code for code in codes if code not in options]
        for code in outside:
            self.fail(path, f"option {code!r} is not in options {list(options)}")
        return not outside

    def simple(self, value: object, path: str) -> SimpleRule | None:
        data = self.mapping(value, path, _SIMPLE_KEYS)
        if data is None or any(key not in data for key in _SIMPLE_KEYS):
            return None
        question = self.question(data["question"], f"{path}.question")
        options = self.codes(data["options"], f"{path}.options", allow_empty=False)
        yes = self.codes(data["yes"], f"{path}.yes", allow_empty=False)
        exclude = self.codes(data["exclude"], f"{path}.exclude", allow_empty=True)
        if question is None or options is None or yes is None or exclude is None:
            return None
        if not self.subset(yes, options, f"{path}.yes") or not self.subset(
            exclude, options, f"{path}.exclude"
        ):
            return None
        both = sorted(set(yes) & set(exclude))
        if both:
            self.fail(path, f"option(s) {both} are both yes and excluded")
            return None
        if len(yes) + len(exclude) == len(options):
            self.fail(path, "no option is a valid 'no': the share would always be 100 %")
            return None
        return SimpleRule(question, options, frozenset(yes), frozenset(exclude))

    def any_of(self, data: Mapping[str, Any], path: str) -> AnyOfRule | None:
        items = data["any_of"]
        if not isinstance(items, list) or len(items) < 2:
            self.fail(f"{path}.any_of", "expected a list of at least two rules")
            return None
        read = [self.simple(v, f"{path}.any_of[{i}]") for i, v in enumerate(items)]
        parts = tuple(part for part in read if part is not None)
        if len(parts) != len(read):
            return None
        questions = [p.question for p in parts]
        if len(set(questions)) != len(questions):
            self.fail(f"{path}.any_of", "a question appears twice")
            return None
        return AnyOfRule(parts)

    def place_cell(self, value: object, path: str, options: tuple[str, ...]) -> PlaceCell | None:
        cell = self.mapping(value, path, ("code", *_LOCAL_KEYS))
        if cell is None or any(key not in cell for key in ("code", *_LOCAL_KEYS)):
            return None
        code = self.code(cell["code"], f"{path}.code")
        name = self.local({key: cell[key] for key in _LOCAL_KEYS}, path)
        if code is None or not self.subset((code,), options, f"{path}.code") or name is None:
            return None
        return PlaceCell(code, name)

    def places(self, data: Mapping[str, Any], path: str) -> PlacesRule | None:
        inner = f"{path}.places"
        places = self.mapping(data["places"], inner, _PLACES_KEYS)
        if places is None or any(key not in places for key in _PLACES_KEYS):
            return None
        question = self.question(places["question"], f"{inner}.question")
        options = self.codes(places["options"], f"{inner}.options", allow_empty=False)
        raw_cells = places["cells"]
        if not isinstance(raw_cells, list) or not raw_cells:
            self.fail(f"{inner}.cells", "expected a non-empty list")
            return None
        if question is None or options is None:
            return None
        read = [
            self.place_cell(raw, f"{inner}.cells[{i}]", options) for i, raw in enumerate(raw_cells)
        ]
        cells = tuple(cell for cell in read if cell is not None)
        if len(cells) != len(read):
            return None
        if len({c.code for c in cells}) != len(cells):
            self.fail(f"{inner}.cells", "duplicate place code")
            return None
        return PlacesRule(question, options, cells)

    def rule(self, value: object, path: str) -> Rule | None:
        for kind, read in (("any_of", self.any_of), ("places", self.places)):
            if isinstance(value, dict) and kind in value:
                data = self.mapping(value, path, (kind,))
                return read(data, path) if data is not None else None
        return self.simple(value, path)

    def indicator(self, value: object, path: str) -> Indicator | None:
        data = self.mapping(value, path, _INDICATOR_KEYS)
        if data is None or any(key not in data for key in _INDICATOR_KEYS):
            return None
        code = self.string(data["code"], f"{path}.code")
        if code is None:
            return None
        if not code.isalnum() or code != code.upper():
            self.fail(f"{path}.code", f"bad indicator code {code!r}")
            return None
        path = f"{path} ({code})"
        name = self.local(data["name"], f"{path}.name")
        description = self.local(data["description"], f"{path}.description")
        group = self.choice(data["group"], f"{path}.group", GROUPS)
        polarity = self.choice(data["polarity"], f"{path}.polarity", POLARITIES)
        geography = self.choice(data["geography"], f"{path}.geography", GEOGRAPHIES)
        period = self.local(data["period"], f"{path}.period")
        rule = self.rule(data["rule"], f"{path}.rule")
        if (
            name is None
            or description is None
            or group is None
            or polarity is None
            or geography is None
            or period is None
            or rule is None
        ):
            return None
        return Indicator(code, name, description, group, polarity, geography, period, rule)

    def catalogue(self, value: object) -> Catalogue | None:
        data = self.mapping(value, "", _TOP_KEYS, ("periods",))
        if data is None or any(key not in data for key in _TOP_KEYS):
            return None
        name = self.string(data["catalogue"], "catalogue")
        version = self.integer(data["version"], "version")
        if version is not None and version < 1:
            self.fail("version", f"expected a positive integer, got {version!r}")
            version = None
        params = None
        if not isinstance(data["disclosure"], dict):
            self.fail("disclosure", "expected a mapping")
        else:
            try:
                params = RuleParams.from_mapping(data["disclosure"])
            except (TypeError, ValueError) as exc:
                self.fail("disclosure", str(exc))
        items = data["indicators"]
        if not isinstance(items, list) or not items:
            self.fail("indicators", "expected a non-empty list")
            items = []
        indicators = [self.indicator(v, f"indicators[{i}]") for i, v in enumerate(items)]
        seen: set[str] = set()
        for i, indicator in enumerate(indicators):
            if indicator is not None and indicator.code in seen:
                self.fail(f"indicators[{i}]", f"duplicate indicator code {indicator.code}")
            seen.add(indicator.code if indicator else "")
        if name is None or version is None or params is None or None in indicators:
            return None
        return Catalogue(
            name=name,
            version=version,
            rule_params=params,
            indicators=tuple(i for i in indicators if i is not None),
        )
