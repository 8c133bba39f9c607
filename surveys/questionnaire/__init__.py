"""Questionnaire engine: document model, validation, answer cleaning, YAML and XLSForm.

Pure Python on purpose (no Django): management commands, the survey views, the
indicator code and offline tooling all share one definition of what a valid
questionnaire and a valid answer are. The file format, and which module holds what,
are in ``docs/questionnaire-format.md``. Import from here (``from surveys import
questionnaire as qn``); the modules are:

* ``model``: codes, the frozen dataclasses, ``Problem`` and ``QuestionnaireError``;
* ``conditions``: ``show_if`` canonical form and evaluation, visible items;
* ``validation``: ``load_questionnaire``, a document mapping checked into a questionnaire;
* ``documents``: YAML in and out;
* ``answers``: cleaning what a pupil submits, and a whole stored sheet;
* ``xlsform``: the XLSForm subset (``relevant`` parser, writer, reader).
"""

from .answers import FieldError, clean_page_answers, clean_sheet
from .conditions import (
    condition_holds,
    is_visible,
    normalize_show_if,
    prune_hidden_answers,
    visible_items,
)
from .documents import dump_questionnaire, dump_show_if, load_yaml_file, parse_yaml, to_yaml
from .model import (
    CODE_PATTERN,
    DEFAULT_QUESTIONNAIRE_PATH,
    DISTRICT_FIXED_OPTIONS,
    LANGUAGE_PATTERN,
    MASTER_LANGUAGE,
    OPTION_CODE_PATTERN,
    QUESTION_TYPES,
    RTL_LANGUAGES,
    AllOf,
    Answer,
    AnyOf,
    Condition,
    HelpResource,
    Option,
    Page,
    Problem,
    Question,
    Questionnaire,
    QuestionnaireError,
    QuestionType,
    ShowIf,
    Statement,
    Texts,
    page_count,
    text_direction,
    translate,
)
from .validation import load_questionnaire
from .xlsform import from_xlsform, to_xlsform

__all__ = [
    "CODE_PATTERN",
    "DEFAULT_QUESTIONNAIRE_PATH",
    "DISTRICT_FIXED_OPTIONS",
    "LANGUAGE_PATTERN",
    "MASTER_LANGUAGE",
    "OPTION_CODE_PATTERN",
    "QUESTION_TYPES",
    "RTL_LANGUAGES",
    "AllOf",
    "Answer",
    "AnyOf",
    "Condition",
    "FieldError",
    "HelpResource",
    "Option",
    "Page",
    "Problem",
    "Question",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireError",
    "ShowIf",
    "Statement",
    "Texts",
    "clean_page_answers",
    "clean_sheet",
    "condition_holds",
    "dump_questionnaire",
    "dump_show_if",
    "from_xlsform",
    "is_visible",
    "load_questionnaire",
    "load_yaml_file",
    "normalize_show_if",
    "page_count",
    "parse_yaml",
    "prune_hidden_answers",
    "text_direction",
    "to_xlsform",
    "to_yaml",
    "translate",
    "visible_items",
]
