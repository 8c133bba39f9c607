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
    """The catalogue file is malformed; the message names the file and the exact spot."""


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
    with path.open(encoding="utf-8") as handle:
        data = yaml.load(handle, Loader=_Yaml12BoolLoader)  # noqa: S506 - a SafeLoader
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
    """Validate parsed YAML into a `Catalogue`; errors name ``source`` and the path."""
    return _Parser(source).catalogue(data)


_TOP_KEYS = {"catalogue", "version", "disclosure", "periods", "indicators"}
_INDICATOR_KEYS = {
    "code",
    "name",
    "description",
    "group",
    "polarity",
    "geography",
    "period",
    "rule",
}
_SIMPLE_KEYS = {"question", "options", "yes", "exclude"}
_PLACES_KEYS = {"question", "options", "cells"}


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> CatalogueError:
        return CatalogueError(f"{self.source}: {where}: {message}")

    def mapping(
        self, value: object, where: str, keys: set[str], required: set[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(where, f"expected a mapping, got {type(value).__name__}")
        if any(isinstance(k, bool) for k in value):
            # yaml.safe_load reads a bare `yes:` key as True (YAML 1.1).
            raise self.fail(where, "a key was read as a boolean: load with load_catalogue()")
        unknown = sorted(str(k) for k in value if k not in keys)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(where, f"missing key(s) {', '.join(missing)}")
        return value

    def text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, "expected a non-empty string")
        return value

    def local(self, value: object, where: str) -> LocalText:
        data = self.mapping(value, where, {"sv", "en"}, {"sv", "en"})
        return LocalText(self.text(data["sv"], f"{where}.sv"), self.text(data["en"], f"{where}.en"))

    def choice[T: str](self, value: object, where: str, allowed: tuple[T, ...]) -> T:
        for option in allowed:
            if value == option:
                return option
        raise self.fail(where, f"{value!r} is not one of {', '.join(allowed)}")

    def code(self, value: object, where: str) -> str:
        # Option codes are strings; YAML integers are accepted and read as strings.
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail(where, f"expected an option code, got {value!r}")
        code = str(value)
        if not code or code != code.strip():
            raise self.fail(where, f"bad option code {value!r}")
        return code

    def codes(self, value: object, where: str, *, allow_empty: bool) -> tuple[str, ...]:
        if not isinstance(value, list):
            raise self.fail(where, "expected a list of option codes")
        codes = tuple(self.code(v, f"{where}[{i}]") for i, v in enumerate(value))
        if len(set(codes)) != len(codes):
            raise self.fail(where, "duplicate option code")
        if not codes and not allow_empty:
            raise self.fail(where, "must not be empty")
        return codes

    def question(self, value: object, where: str) -> str:
        name = self.text(value, where)
        if not name.replace("_", "").isalnum() or name != name.upper():
            raise self.fail(where, f"bad question code {name!r}")
        return name

    def subset(self, codes: tuple[str, ...], options: tuple[str, ...], where: str) -> None:
        for code in codes:
            if code not in options:
                raise self.fail(where, f"option {code!r} is not in options {list(options)}")

    def simple(self, value: object, where: str) -> SimpleRule:
        data = self.mapping(value, where, _SIMPLE_KEYS, _SIMPLE_KEYS)
        question = self.question(data["question"], f"{where}.question")
        options = self.codes(data["options"], f"{where}.options", allow_empty=False)
        yes = self.codes(data["yes"], f"{where}.yes", allow_empty=False)
        exclude = self.codes(data["exclude"], f"{where}.exclude", allow_empty=True)
        self.subset(yes, options, f"{where}.yes")
        self.subset(exclude, options, f"{where}.exclude")
        both = sorted(set(yes) & set(exclude))
        if both:
            raise self.fail(where, f"option(s) {both} are both yes and excluded")
        if len(yes) + len(exclude) == len(options):
            raise self.fail(where, "no option is a valid 'no': the share would always be 100 %")
        return SimpleRule(question, options, frozenset(yes), frozenset(exclude))

    def rule(self, value: object, where: str) -> Rule:
        if isinstance(value, dict) and "any_of" in value:
            data = self.mapping(value, where, {"any_of"}, {"any_of"})
            items = data["any_of"]
            if not isinstance(items, list) or len(items) < 2:
                raise self.fail(f"{where}.any_of", "expected a list of at least two rules")
            parts = tuple(self.simple(v, f"{where}.any_of[{i}]") for i, v in enumerate(items))
            questions = [p.question for p in parts]
            if len(set(questions)) != len(questions):
                raise self.fail(f"{where}.any_of", "a question appears twice")
            return AnyOfRule(parts)
        if isinstance(value, dict) and "places" in value:
            data = self.mapping(value, where, {"places"}, {"places"})
            inner = f"{where}.places"
            places = self.mapping(data["places"], inner, _PLACES_KEYS, _PLACES_KEYS)
            question = self.question(places["question"], f"{inner}.question")
            options = self.codes(places["options"], f"{inner}.options", allow_empty=False)
            raw_cells = places["cells"]
            if not isinstance(raw_cells, list) or not raw_cells:
                raise self.fail(f"{inner}.cells", "expected a non-empty list")
            cells: list[PlaceCell] = []
            for i, raw in enumerate(raw_cells):
                cw = f"{inner}.cells[{i}]"
                cell = self.mapping(raw, cw, {"code", "sv", "en"}, {"code", "sv", "en"})
                code = self.code(cell["code"], f"{cw}.code")
                self.subset((code,), options, f"{cw}.code")
                name = LocalText(
                    self.text(cell["sv"], f"{cw}.sv"), self.text(cell["en"], f"{cw}.en")
                )
                cells.append(PlaceCell(code, name))
            if len({c.code for c in cells}) != len(cells):
                raise self.fail(f"{inner}.cells", "duplicate place code")
            return PlacesRule(question, options, tuple(cells))
        return self.simple(value, where)

    def indicator(self, value: object, where: str) -> Indicator:
        data = self.mapping(value, where, _INDICATOR_KEYS, _INDICATOR_KEYS)
        code = self.text(data["code"], f"{where}.code")
        if not code.isalnum() or code != code.upper():
            raise self.fail(f"{where}.code", f"bad indicator code {code!r}")
        where = f"{where} ({code})"
        return Indicator(
            code=code,
            name=self.local(data["name"], f"{where}.name"),
            description=self.local(data["description"], f"{where}.description"),
            group=self.choice(data["group"], f"{where}.group", GROUPS),
            polarity=self.choice(data["polarity"], f"{where}.polarity", POLARITIES),
            geography=self.choice(data["geography"], f"{where}.geography", GEOGRAPHIES),
            period=self.local(data["period"], f"{where}.period"),
            rule=self.rule(data["rule"], f"{where}.rule"),
        )

    def catalogue(self, value: object) -> Catalogue:
        data = self.mapping(value, "top level", _TOP_KEYS, _TOP_KEYS - {"periods"})
        name = self.text(data["catalogue"], "catalogue")
        version = data["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail("version", f"expected a positive integer, got {version!r}")
        disclosure = data["disclosure"]
        if not isinstance(disclosure, dict):
            raise self.fail("disclosure", "expected a mapping")
        try:
            params = RuleParams.from_mapping(disclosure)
        except (TypeError, ValueError) as exc:
            raise self.fail("disclosure", str(exc)) from exc
        items = data["indicators"]
        if not isinstance(items, list) or not items:
            raise self.fail("indicators", "expected a non-empty list")
        indicators = tuple(self.indicator(v, f"indicators[{i}]") for i, v in enumerate(items))
        seen: set[str] = set()
        for i, indicator in enumerate(indicators):
            if indicator.code in seen:
                raise self.fail(f"indicators[{i}]", f"duplicate indicator code {indicator.code}")
            seen.add(indicator.code)
        return Catalogue(name=name, version=version, rule_params=params, indicators=indicators)
