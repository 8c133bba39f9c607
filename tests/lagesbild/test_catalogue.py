"""The v1 indicator catalogue against docs/codebook.md, and the reference
evaluator on hand-written answer sheets (expected values typed from the codebook, not
read from the YAML, so that a wrong YAML entry fails here)."""

from collections.abc import Mapping

import pytest
import yaml

from lagesbild.catalogue import (
    CURRENT_VERSION,
    Answer,
    AnyOfRule,
    CatalogueError,
    PlacesRule,
    SimpleRule,
    check_against_questionnaire,
    comparable_versions,
    evaluate,
    load_catalogue,
    parse_catalogue,
)
from lagesbild.disclosure import RuleParams

DOMAIN_CODES = {
    *(f"TRY0{i}" for i in range(1, 8)),
    *(f"UTS0{i}" for i in range(7)),
    *(f"EXP0{i}" for i in range(1, 7)),
    *(f"SKY0{i}" for i in range(1, 6)),
    *(f"FOR0{i}" for i in range(1, 4)),
    "TRYIDX",
}

HIGHER_BETTER = {"SKY01", "SKY02", "SKY03", "SKY05", "FOR01", "FOR03"}

SCHOOL_GEOGRAPHY = {"TRY02", "TRY03", "TRY04", "UTS05", "SKY05", "FOR03"}

# (indicator, a yes code, a valid no code, an excluded code or None), from the codebook.
SIMPLE = [
    ("TRY01", ["3", "4", "5"], ["1", "2"], ["6"]),
    ("TRY02", ["3", "4"], ["1", "2"], ["5"]),
    ("TRY03", ["3", "4"], ["1", "2"], []),
    ("TRY04", ["2", "3", "4"], ["1"], []),
    ("TRY06", ["3", "4"], ["1", "2"], []),
    ("UTS01", ["2", "3", "4"], ["1"], []),
    ("UTS02", ["2", "3", "4"], ["1"], []),
    ("UTS03", ["2", "3", "4"], ["1"], []),
    ("UTS04", ["2", "3", "4"], ["1"], []),
    ("UTS05", ["1"], ["2"], []),
    ("UTS06", ["1"], ["2"], []),
    ("EXP01", ["3", "4"], ["1", "2"], []),
    ("EXP02", ["1"], ["2"], []),
    ("EXP03", ["2", "3"], ["1"], []),
    ("EXP04", ["1"], ["2"], []),
    ("EXP05", ["3", "4"], ["1", "2"], []),
    ("EXP06", ["2", "3"], ["1"], []),
    ("SKY01", ["1"], ["2"], []),
    ("SKY02", ["1", "2"], ["3", "4", "5"], []),
    ("SKY03", ["3", "4", "5"], ["1", "2"], []),
    ("SKY04", ["2", "3", "4"], ["1"], []),
    ("SKY05", ["1", "2"], ["3", "4"], []),
    ("FOR01", ["1", "2"], ["3", "4", "5"], ["6"]),
    ("FOR02", ["3"], ["1", "2"], []),
    ("FOR03", ["1", "2"], ["3", "4"], []),
]


def value(code: str, answers: Mapping[str, Answer]) -> bool | None:
    [(key, result)] = evaluate(load_catalogue()[code], answers)
    assert key == code
    return result


def test_the_v1_catalogue_loads_with_its_disclosure_parameters() -> None:
    catalogue = load_catalogue(1)
    assert catalogue.name == "default"
    assert catalogue.version == 1
    assert catalogue.rule_params == RuleParams()
    assert catalogue.rule_params.min_n == 10
    assert catalogue.rule_params.round_counts_to == 5
    assert load_catalogue(1) is catalogue  # cached


def test_every_domain_indicator_is_in_the_catalogue_and_nothing_else() -> None:
    assert set(load_catalogue().codes) == DOMAIN_CODES
    assert len(load_catalogue().codes) == len(DOMAIN_CODES)


def test_polarity_follows_domain() -> None:
    for indicator in load_catalogue().indicators:
        expected = "higher_better" if indicator.code in HIGHER_BETTER else "higher_worse"
        assert indicator.polarity == expected, indicator.code
    assert load_catalogue()["SKY04"].polarity == "higher_worse"
    assert load_catalogue()["FOR02"].polarity == "higher_worse"


def test_groups_follow_the_code_prefix() -> None:
    prefix_group = {
        "TRY": "trygghet",
        "UTS": "utsatthet",
        "EXP": "exponering",
        "SKY": "skydd",
        "FOR": "fortroende",
    }
    for indicator in load_catalogue().indicators:
        assert indicator.group == prefix_group[indicator.code[:3]], indicator.code


def test_geography_follows_the_codebook() -> None:
    for indicator in load_catalogue().indicators:
        expected = "school" if indicator.code in SCHOOL_GEOGRAPHY else "home"
        assert indicator.geography == expected, indicator.code


def test_reference_periods_name_the_short_windows() -> None:
    catalogue = load_catalogue()
    assert catalogue["TRY04"].period.en == "Last 30 days"
    assert catalogue["SKY04"].period.en == "Last 7 days"
    assert catalogue["UTS01"].period.sv == "Senaste 12 månaderna"
    for indicator in catalogue.indicators:
        assert indicator.name.sv and indicator.name.en
        assert indicator.description.sv and indicator.description.en


@pytest.mark.parametrize(("code", "yes_codes", "no_codes", "excluded"), SIMPLE)
def test_simple_indicators_count_yes_no_and_excluded_as_in_the_codebook(
    code: str, yes_codes: list[str], no_codes: list[str], excluded: list[str]
) -> None:
    for answer in yes_codes:
        assert value(code, {code: answer}) is True
    for answer in no_codes:
        assert value(code, {code: answer}) is False
    for answer in excluded:
        assert value(code, {code: answer}) is None
    assert value(code, {}) is None  # skipped
    assert value(code, {code: "99"}) is None  # not an option
    assert value(code, {"OTHER": yes_codes[0]}) is None


@pytest.mark.parametrize(("code", "yes_codes", "no_codes", "excluded"), SIMPLE)
def test_simple_rules_expose_yes_and_valid_code_sets(
    code: str, yes_codes: list[str], no_codes: list[str], excluded: list[str]
) -> None:
    rule = load_catalogue()[code].rule
    assert isinstance(rule, SimpleRule)
    assert rule.question == code
    assert rule.yes_codes == frozenset(yes_codes)
    assert rule.valid_codes == frozenset(yes_codes + no_codes)
    assert rule.exclude == frozenset(excluded)


def test_integer_answers_count_like_their_string_codes() -> None:
    assert value("TRY01", {"TRY01": 4}) is True
    assert value("TRY01", {"TRY01": 1}) is False
    assert value("TRY01", {"TRY01": 6}) is None


def test_malformed_single_answers_are_not_valid() -> None:
    assert value("EXP02", {"EXP02": ["1"]}) is None  # a list for a single question
    assert value("EXP02", {"EXP02": True}) is None  # a bool is not a code
    assert value("EXP02", {"EXP02": ""}) is None


def test_try05_is_yes_when_any_avoidance_is_yes() -> None:
    assert value("TRY05", {"TRY05A": "1"}) is True  # others skipped: still yes
    assert value("TRY05", {"TRY05A": "2", "TRY05B": "2", "TRY05C": "1"}) is True


def test_try05_is_a_valid_no_only_when_all_three_are_answered_no() -> None:
    assert value("TRY05", {"TRY05A": "2", "TRY05B": "2", "TRY05C": "2"}) is False
    assert value("TRY05", {"TRY05A": "2", "TRY05B": "2"}) is None
    assert value("TRY05", {"TRY05A": "2", "TRY05B": "2", "TRY05C": "7"}) is None
    assert value("TRY05", {}) is None


def test_uts00_is_yes_when_any_victimisation_is_yes() -> None:
    assert value("UTS00", {"UTS04": "3"}) is True
    assert value("UTS00", {"UTS01": "1", "UTS02": "2", "UTS03": "1", "UTS04": "1"}) is True


def test_uts00_is_a_valid_no_only_when_all_four_are_answered_no() -> None:
    assert value("UTS00", {"UTS01": "1", "UTS02": "1", "UTS03": "1", "UTS04": "1"}) is False
    assert value("UTS00", {"UTS01": "1", "UTS02": "1", "UTS03": "1"}) is None


def test_tryidx_is_yes_when_any_of_try01_to_try03_is_unsafe() -> None:
    assert value("TRYIDX", {"TRY01": "5"}) is True
    assert value("TRYIDX", {"TRY01": "6", "TRY02": "4"}) is True  # excluded + yes
    assert value("TRYIDX", {"TRY03": "3"}) is True


def test_tryidx_is_not_valid_when_a_component_is_excluded_and_none_is_yes() -> None:
    assert value("TRYIDX", {"TRY01": "1", "TRY02": "1", "TRY03": "1"}) is False
    assert value("TRYIDX", {"TRY01": "6", "TRY02": "1", "TRY03": "1"}) is None
    assert value("TRYIDX", {"TRY01": "1", "TRY02": "5", "TRY03": "2"}) is None
    assert value("TRYIDX", {"TRY01": "1", "TRY02": "1"}) is None


def test_derived_rules_expose_their_components() -> None:
    rule = load_catalogue()["UTS00"].rule
    assert isinstance(rule, AnyOfRule)
    assert [c.question for c in rule.components] == ["UTS01", "UTS02", "UTS03", "UTS04"]
    assert all(c.yes_codes == {"2", "3", "4"} for c in rule.components)
    tryidx = load_catalogue()["TRYIDX"].rule
    assert isinstance(tryidx, AnyOfRule)
    assert tryidx.components[0].valid_codes == {"1", "2", "3", "4", "5"}


def places(answers: Mapping[str, Answer]) -> dict[str, bool | None]:
    return dict(evaluate(load_catalogue()["TRY07"], answers))


def test_try07_has_one_cell_per_place_one_to_eight() -> None:
    indicator = load_catalogue()["TRY07"]
    assert indicator.cell_keys == tuple(f"TRY07:{i}" for i in range(1, 9))
    assert isinstance(indicator.rule, PlacesRule)
    assert indicator.rule.place_codes == tuple(str(i) for i in range(1, 9))


def test_try07_selected_places_are_yes_and_the_others_valid_no() -> None:
    result = places({"TRY07": ["2", "7"]})
    assert result == {f"TRY07:{i}": i in (2, 7) for i in range(1, 9)}


def test_try07_nowhere_makes_every_place_a_valid_no() -> None:
    assert places({"TRY07": ["9"]}) == {f"TRY07:{i}": False for i in range(1, 9)}


def test_try07_unanswered_is_not_valid_for_any_place() -> None:
    assert set(places({}).values()) == {None}
    assert set(places({"TRY07": []}).values()) == {None}
    assert set(places({"TRY07": ["99"]}).values()) == {None}


def questionnaire() -> dict[str, set[str]]:
    options: dict[str, set[str]] = {}
    for indicator in load_catalogue().indicators:
        rule = indicator.rule
        parts = rule.components if isinstance(rule, AnyOfRule) else (rule,)
        for part in parts:
            options[part.question] = set(part.options)
    return options


def test_the_catalogue_fits_a_questionnaire_with_the_codebook_options() -> None:
    assert check_against_questionnaire(load_catalogue(), questionnaire()) == []


def test_check_against_questionnaire_reports_a_missing_option() -> None:
    options = questionnaire()
    options["TRY01"] = {"1", "2", "3", "4", "5"}
    problems = check_against_questionnaire(load_catalogue(), options)
    assert problems
    assert all("TRY01" in p and "'6'" in p for p in problems)
    # TRY01 is used by TRY01 and by TRYIDX: both are reported.
    assert {p.split(":")[0] for p in problems} == {"TRY01", "TRYIDX"}


def test_check_against_questionnaire_reports_a_missing_question() -> None:
    options = questionnaire()
    del options["TRY05B"]
    assert check_against_questionnaire(load_catalogue(), options) == [
        "TRY05: question TRY05B does not exist in the questionnaire"
    ]


def test_check_against_questionnaire_reports_an_option_the_catalogue_does_not_know() -> None:
    options = questionnaire()
    options["EXP03"] = {"1", "2", "3", "4"}
    [problem] = check_against_questionnaire(load_catalogue(), options)
    assert problem.startswith("EXP03: question EXP03")
    assert "'4'" in problem


def minimal(rule: object) -> dict[str, object]:
    return {
        "catalogue": "test",
        "version": 1,
        "disclosure": {},
        "indicators": [
            {
                "code": "X01",
                "name": {"sv": "x", "en": "x"},
                "description": {"sv": "x", "en": "x"},
                "group": "skydd",
                "polarity": "higher_better",
                "geography": "home",
                "period": {"sv": "x", "en": "x"},
                "rule": rule,
            }
        ],
    }


GOOD_RULE = {"question": "Q1", "options": [1, 2], "yes": [1], "exclude": []}


def test_a_minimal_catalogue_parses() -> None:
    catalogue = parse_catalogue(minimal(GOOD_RULE))
    assert catalogue["X01"].rule == SimpleRule("Q1", ("1", "2"), frozenset({"1"}), frozenset())


def test_a_yes_code_outside_the_options_is_an_error_naming_the_spot() -> None:
    bad = {**GOOD_RULE, "yes": [3]}
    with pytest.raises(CatalogueError, match=r"indicators\[0\] \(X01\)\.rule\.yes: option '3'"):
        parse_catalogue(minimal(bad), source="t.yaml")


def test_a_code_both_yes_and_excluded_is_an_error() -> None:
    with pytest.raises(CatalogueError, match="both yes and excluded"):
        parse_catalogue(minimal({**GOOD_RULE, "exclude": [1]}))


def test_a_rule_without_a_valid_no_is_an_error() -> None:
    with pytest.raises(CatalogueError, match="no option is a valid 'no'"):
        parse_catalogue(minimal({**GOOD_RULE, "exclude": [2]}))


def test_an_unknown_key_is_an_error() -> None:
    with pytest.raises(CatalogueError, match=r"\.rule\.valid: unknown key"):
        parse_catalogue(minimal({**GOOD_RULE, "valid": [1, 2]}))


def test_every_problem_is_reported_at_once_with_its_path() -> None:
    """Like a questionnaire, the catalogue is read to the end: the author sees them all."""
    data = minimal({**GOOD_RULE, "yes": [3]})
    data["indicators"][0]["polarity"] = "up"  # type: ignore[index]
    data["version"] = 0
    with pytest.raises(CatalogueError) as raised:
        parse_catalogue(data, source="t.yaml")
    message = str(raised.value)
    assert message.startswith("t.yaml: invalid catalogue (3 problems):")
    assert "version: expected a positive integer, got 0" in message
    assert "indicators[0] (X01).polarity: 'up' is not one of" in message
    assert "indicators[0] (X01).rule.yes: option '3' is not in options" in message


def test_a_bad_polarity_is_an_error() -> None:
    data = minimal(GOOD_RULE)
    data["indicators"][0]["polarity"] = "up"  # type: ignore[index]
    with pytest.raises(CatalogueError, match=r"\(X01\)\.polarity: 'up' is not one of"):
        parse_catalogue(data)


def test_a_duplicate_indicator_code_is_an_error() -> None:
    data = minimal(GOOD_RULE)
    data["indicators"] = data["indicators"] * 2  # type: ignore[operator]
    with pytest.raises(CatalogueError, match="duplicate indicator code X01"):
        parse_catalogue(data)


def test_a_bad_disclosure_parameter_is_an_error() -> None:
    data = minimal(GOOD_RULE)
    data["disclosure"] = {"min_n": 3}
    with pytest.raises(CatalogueError, match="disclosure: min_n must be at least"):
        parse_catalogue(data)


def test_a_derived_rule_needs_two_components() -> None:
    with pytest.raises(CatalogueError, match=r"any_of: expected a list of at least two"):
        parse_catalogue(minimal({"any_of": [GOOD_RULE]}))


def test_yaml_1_1_reading_of_a_bare_yes_key_is_caught() -> None:
    # yaml.safe_load turns the key `yes:` into True; load_catalogue uses a loader that
    # does not, and the parser explains the mistake instead of saying "unknown key True".
    data = yaml.safe_load("{question: Q1, options: [1, 2], yes: [1], exclude: []}")
    with pytest.raises(CatalogueError, match="read as a boolean"):
        parse_catalogue(minimal(data))


def test_a_missing_catalogue_version_is_an_error() -> None:
    with pytest.raises(CatalogueError, match="no catalogue version 99"):
        load_catalogue(99)


def test_version_2_only_renames_so_changes_are_still_compared_with_version_1() -> None:
    assert comparable_versions(2) == (1, 2)
    assert load_catalogue(1).codes == load_catalogue(2).codes


def test_the_released_version_1_keeps_its_names() -> None:
    assert load_catalogue(1)["TRYIDX"].name.sv == "Trygghetsindex"


def test_the_index_is_named_for_what_its_share_counts() -> None:
    name = load_catalogue(CURRENT_VERSION)["TRYIDX"].name
    assert (name.sv, name.en) == ("Känner sig otrygg – index", "Feels unsafe – index")


def test_every_current_name_differs_from_its_description_and_is_in_both_languages() -> None:
    for indicator in load_catalogue(CURRENT_VERSION).indicators:
        assert indicator.name.sv and indicator.name.en
        assert indicator.description.sv.startswith("Andel")
        assert indicator.description.en.startswith("Share")


def test_every_catalogue_version_publishes_under_the_rules_the_pages_explain() -> None:
    """The pages, files and reasons explain the rules with the current catalogue's numbers
    (`lagesbild.public.disclosure_rules`: "färre än 10 svar", "närmaste 5"). Every wave is
    published under one of these versions, so each must use the same rules; a version
    with other rules needs its waves' texts told apart first."""
    from lagesbild import public
    from lagesbild.catalogue import CURRENT_VERSION

    rules = public.disclosure_rules()
    for version in range(1, CURRENT_VERSION + 1):
        assert load_catalogue(version).rule_params == rules, version
    assert public.reason_text("small_base") == f"färre än {rules.min_n} svar"
