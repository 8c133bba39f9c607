"""What the pupil pages show: questionnaire items turned into plain view data.

Templates get only strings, booleans and lists from here, in the pupil's language; they
never see the ORM or the questionnaire classes.
"""

import re
import secrets
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from . import questionnaire as qn
from . import selectors


def field_error_message(error: str) -> str:
    messages = {
        qn.FieldError.REQUIRED: _("Den här frågan behöver ett svar."),
        qn.FieldError.UNKNOWN_OPTION: _("Svaret finns inte bland alternativen. Välj igen."),
        qn.FieldError.TOO_MANY_VALUES: _("Välj bara ett svar."),
        qn.FieldError.DUPLICATE_OPTION: _("Ett svar var valt två gånger. Välj igen."),
        qn.FieldError.EXCLUSIVE_CONFLICT: _(
            "Det här alternativet kan inte väljas tillsammans med andra."
        ),
        qn.FieldError.NOT_A_NUMBER: _("Skriv ett heltal med siffror, till exempel 3."),
        qn.FieldError.OUT_OF_RANGE: _("Talet är utanför det tillåtna intervallet."),
    }
    return messages.get(qn.FieldError(error), _("Något blev fel med svaret. Försök igen."))


@dataclass(frozen=True)
class Choice:
    value: str
    text: str
    checked: bool


@dataclass(frozen=True)
class FieldView:
    """One answer field: a question, or one statement of a matrix (its own fieldset)."""

    name: str
    text: str
    choices: tuple[Choice, ...] = ()
    error: str = ""


@dataclass(frozen=True)
class ItemView:
    code: str
    type: str
    text: str
    hint: str = ""
    required: bool = False
    fields: tuple[FieldView, ...] = ()
    value: str = ""  # number questions
    min_value: int | None = None
    max_value: int | None = None
    error: str = ""
    multiple: bool = False


def _selected(name: str, values: Mapping[str, Sequence[str]]) -> set[str]:
    return {str(value) for value in values.get(name, ())}


def item_views(
    items: Sequence[qn.Question],
    language: str,
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    districts: Sequence[tuple[str, str]],
) -> list[ItemView]:
    """`values` maps field names to the values to show as chosen (saved or just posted)."""
    views: list[ItemView] = []
    for item in items:
        text = qn.translate(item.text, language)
        hint = qn.translate(item.hint, language) if item.hint else ""

        def choices(name: str, options: Sequence[tuple[str, str]]) -> tuple[Choice, ...]:
            chosen = _selected(name, values)
            return tuple(Choice(code, label, code in chosen) for code, label in options)

        options = [(o.code, qn.translate(o.text, language)) for o in item.options]
        error = errors.get(item.code, "")
        message = field_error_message(error) if error else ""
        match item.type:
            case "info":
                views.append(ItemView(item.code, "info", text))
            case "matrix":
                fields = tuple(
                    FieldView(
                        s.code,
                        qn.translate(s.text, language),
                        choices(s.code, options),
                        field_error_message(errors[s.code]) if s.code in errors else "",
                    )
                    for s in item.statements
                )
                views.append(
                    ItemView(item.code, "matrix", text, hint, item.required, fields=fields)
                )
            case "single" | "multiple":
                views.append(
                    ItemView(
                        item.code,
                        "choice",
                        text,
                        hint,
                        item.required,
                        fields=(FieldView(item.code, text, choices(item.code, options), message),),
                        multiple=item.type == "multiple",
                    )
                )
            case "district":
                picks = [*districts, *options]
                views.append(
                    ItemView(
                        item.code,
                        "district",
                        text,
                        hint,
                        item.required,
                        fields=(FieldView(item.code, text, choices(item.code, picks), message),),
                    )
                )
            case "number":
                shown = values.get(item.code, ())
                views.append(
                    ItemView(
                        item.code,
                        "number",
                        text,
                        hint,
                        item.required,
                        value=str(shown[0]) if shown else "",
                        min_value=item.min_value,
                        max_value=item.max_value,
                        error=message,
                    )
                )
    return views


def saved_values(answers: Mapping[str, qn.Answer]) -> dict[str, list[str]]:
    """Saved answers in the shape of posted form values."""
    shaped: dict[str, list[str]] = {}
    for code, answer in answers.items():
        shaped[code] = [str(v) for v in answer] if isinstance(answer, list) else [str(answer)]
    return shaped


@dataclass(frozen=True)
class HelpView:
    name: str
    text: str
    phone: str
    url: str
    lang: str = ""  # the language of name and text when it may differ from the page's

    @property
    def tel(self) -> str:
        """The number for a `tel:` link: digits and a leading plus only."""
        return "".join(c for c in self.phone if c.isdigit() or c == "+")


def help_views(
    questionnaire: qn.Questionnaire, language: str, *, municipality_id: int | None = None
) -> list[HelpView]:
    """The questionnaire's help resources in `language`, then the kommun's own (in
    Swedish, marked as such on a page in another language)."""
    national = [
        HelpView(
            qn.translate(r.name, language),
            qn.translate(r.text, language),
            r.phone or "",
            r.url or "",
        )
        for r in questionnaire.help_resources
    ]
    if municipality_id is None:
        return national
    lang = "" if language == qn.MASTER_LANGUAGE else qn.MASTER_LANGUAGE
    local = [
        HelpView(name, text, phone, url, lang)
        for name, text, phone, url in selectors.kommun_help(municipality_id)
    ]
    return national + local


# The questions of a page as a pupil first sees them (nothing chosen, no error) are the
# same HTML for every pupil of a questionnaire version, page, language and set of shown
# items: rendered once per process. Rendering them is most of a page's server time (the
# Django template loops over a few hundred options), and on a survey day nearly every
# page view is such a first view. Pages with answers or errors are rendered each time.
_FRESH_ITEMS: dict[Hashable, SafeString] = {}
FRESH_ITEMS_LIMIT = 2000


def items_html(
    items: Sequence[qn.Question],
    language: str,
    values: Mapping[str, Sequence[str]],
    errors: Mapping[str, str],
    districts: Sequence[tuple[str, str]],
    *,
    key: Hashable,
) -> SafeString:
    """The items rendered (`surveys/_items.html`); `key` names the page and version for
    the cache of fresh pages (the items, language and districts are added to it)."""
    fresh = not any(values.get(code) for item in items for code in item.field_codes)
    if not fresh or errors:
        views = item_views(items, language, values, errors, districts)
        return SafeString(render_to_string("surveys/_items.html", {"items": views}))
    full = (key, language, tuple(item.code for item in items), tuple(districts))
    cached = _FRESH_ITEMS.get(full)
    if cached is None:
        views = item_views(items, language, {}, {}, districts)
        cached = SafeString(render_to_string("surveys/_items.html", {"items": views}))
        if len(_FRESH_ITEMS) >= FRESH_ITEMS_LIMIT:
            _FRESH_ITEMS.clear()
        _FRESH_ITEMS[full] = cached
    return cached


# A pupil page's HTML around what differs from one request to the next (the CSRF token,
# the page token, the submission id, the questions as answered), rendered once per
# process for each distinct context, language and template, then filled in with plain
# string joins. The layout, its blocks, includes, translations, URLs and static paths
# are otherwise rendered anew on every page although they are the same for every pupil
# of a page, language and kommun.
_FRAMES: dict[Hashable, tuple[tuple[str, str], ...]] = {}
FRAMES_LIMIT = 2000
# Stand-ins for the per-request values while a frame is rendered: random per process, so
# no questionnaire text can contain one; letters and digits only, so escaping keeps them.
_MARK = f"frame{secrets.token_hex(8)}"
_CSRF = "csrf_token"
_SPLIT = re.compile(rf"{_MARK}([a-z_]+){_MARK}")


def _frozen(value: object) -> Hashable:
    """`value` as a key: text, numbers and this module's (frozen) view objects as they
    are, lists and tuples as tuples, dictionaries as sorted pairs; anything else (a form,
    a model) is refused, as it could render differently while comparing equal."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list | tuple):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, ItemView | FieldView | Choice | HelpView):  # frozen dataclasses
        return value
    raise TypeError(f"not a frame key: {type(value).__name__}")


def framed_render(
    request: HttpRequest,
    template: str,
    context: Mapping[str, object],
    per_request: Mapping[str, str],
    *,
    fixed: Mapping[str, object] | None = None,
) -> str:
    """`template` rendered with `context` (the same for every pupil who sees this page:
    strings, numbers, booleans and frozen view objects) and `per_request` (values
    inserted as they are, already safe HTML or text without special characters); the
    CSRF token is added when the template has a form. `fixed`: objects that render the
    same for every request with this key (an unbound form in the active language); the
    key holds their names and classes, not their content."""
    fixed = fixed or {}
    shapes = tuple(sorted((name, type(value).__qualname__) for name, value in fixed.items()))
    key = (
        template,
        translation.get_language(),
        _frozen(context),
        shapes,
        tuple(sorted(per_request)),
    )
    frame = _FRAMES.get(key)
    if frame is None:
        marks = {name: SafeString(f"{_MARK}{name}{_MARK}") for name in [*per_request, _CSRF]}
        html = render_to_string(template, {**context, **fixed, **marks}, request)
        pieces = _SPLIT.split(html)
        # Alternating text and names: (text before a value, the value's name) pairs.
        frame = tuple(zip(pieces[0::2], [*pieces[1::2], ""], strict=True))
        if len(_FRAMES) >= FRAMES_LIMIT:
            _FRAMES.clear()
        _FRAMES[key] = frame
    values = dict(per_request)
    if any(name == _CSRF for _text, name in frame):
        values[_CSRF] = get_token(request)
    values[""] = ""
    return "".join(text + values[name] for text, name in frame)
