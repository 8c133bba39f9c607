"""Views of the pupil flow and the health check.

Flow: code (/) → language (/sprak/) → information (/info/) → question pages
(/sida/1/ … /sida/n/) → submit → thank-you page (/tack/<language>/). Every page works
without JavaScript, sends `Cache-Control: no-store` (shared school computers) and
never puts a code in a URL, so no access log line can hold one.
"""

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from . import health, pupil, services
from . import questionnaire as qn
from .flow import Flow, flow_for_id
from .forms import CodeEntryForm
from .models import District, QuestionnaireVersion, SheetDraft

SESSION_KEY = "pupil"
ENTRY_MESSAGES = {
    "invalid": gettext_lazy(
        "Det där ser inte ut som en kod. En kod har tre grupper med fyra tecken, "
        "till exempel KX7P-M4RD-Q9ZT."
    ),
    "wrong": gettext_lazy("Koden finns inte. Kontrollera att du har skrivit av den rätt."),
    "spent": gettext_lazy(
        "Koden har redan använts för att skicka in svar. Fråga din lärare om en ny kod."
    ),
    "not_open": gettext_lazy("Enkäten är inte öppen just nu."),
    "closed": gettext_lazy(
        "Enkäten har stängt, så det går inte att svara med den här koden längre. "
        "Tack för att du ville vara med!"
    ),
    "locked": gettext_lazy(
        "För många felaktiga försök. Vänta tio minuter och försök igen, eller fråga din lärare."
    ),
}
# A pupil whose wave closed while they answered: nothing was sent in, and the draft is
# kept (deleted by the hourly housekeeping) in case the coordinator reopens the wave.
CLOSED_MESSAGE = gettext_lazy(
    "Enkäten har stängt, så svaren kunde inte skickas in. Dina svar är sparade om den öppnar igen."
)
CONFLICT_MESSAGE = gettext_lazy(
    "De här svaren har redan skickats in med andra svar och sparades inte."
)


class PupilState:
    """The pupil's place in the flow, kept in the session (never the code itself)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.code_id = uuid.UUID(data["code"])
        self.submission_id = uuid.UUID(data["sid"])
        self.language: str = data["lang"]
        self.version_id: int = data["qv"]
        self.municipality_id: int = data["muni"]

    @property
    def flow(self) -> Flow:
        return flow_for_id(self.version_id)


type PupilView = Callable[..., HttpResponse]


def pupil_page(view: PupilView) -> Callable[..., HttpResponse]:
    """Needs a started pupil; renders in the pupil's language; never cached."""

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.session.get(SESSION_KEY)
        if not data:
            if request.method == "POST" and "submission_id" in request.POST:
                return _submit_retry(request)
            return redirect(reverse("surveys:start") + "?fortsatt=1")
        state = PupilState(data)
        with translation.override(state.language):
            if services.code_wave_closed(code_id=state.code_id):
                # The wave closed while the pupil answered: say so in their language
                # rather than losing the answers silently; the session ends here.
                request.session.flush()
                return _render(
                    request,
                    "surveys/problem.html",
                    state.language,
                    {"message": str(CLOSED_MESSAGE)},
                    409,
                )
            return view(request, state, *args, **kwargs)

    return wrapper


def _render(
    request: HttpRequest, template: str, language: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        **context,
        "page_language": language,
        "page_rtl": qn.text_direction(language) == "rtl",
    }
    return render(request, template, context, status=status)


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The pupil's start page: enter the one-time code from the slip."""
    form = CodeEntryForm(request.POST or None)
    also: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        language = translation.get_language() or qn.MASTER_LANGUAGE
        entry = services.code_enter(typed=form.cleaned_data["code"], language=language)
        if entry.status == "ok" and entry.draft is not None:
            draft = SheetDraft.objects.select_related("code__wave").get(pk=entry.draft.pk)
            request.session.cycle_key()
            request.session[SESSION_KEY] = {
                "code": str(draft.code_id),
                "sid": str(draft.submission_id),
                "lang": draft.language,
                "qv": draft.code.wave.questionnaire_id,
                "muni": draft.code.wave.municipality_id,
            }
            if draft.page >= 1:  # resuming: back to where the pupil was
                return redirect("surveys:page", number=draft.page)
            return redirect("surveys:language")
        form.add_error("code", str(ENTRY_MESSAGES[entry.status]))
        if entry.status == "closed" and entry.questionnaire_id is not None:
            also = _in_other_languages(ENTRY_MESSAGES["closed"], entry.questionnaire_id)
    resumed = request.GET.get("fortsatt") == "1"
    return render(request, "surveys/start.html", {"form": form, "resumed": resumed, "also": also})


def _in_other_languages(message: Any, version_id: int) -> list[dict[str, str]]:
    """``message`` in the questionnaire's other languages that have a translation of it:
    the code entry page is in Swedish or English, but the pupil may read another."""
    current = translation.get_language() or qn.MASTER_LANGUAGE
    with translation.override(qn.MASTER_LANGUAGE):
        source = str(message)
    out = []
    for language in flow_for_id(version_id).questionnaire.languages:
        if language == current:
            continue
        with translation.override(language):
            text = str(message)
        if language == qn.MASTER_LANGUAGE or text != source:
            out.append({"language": language, "dir": qn.text_direction(language), "text": text})
    return out


@pupil_page
def language(request: HttpRequest, state: PupilState) -> HttpResponse:
    questionnaire = state.flow.questionnaire
    if request.method == "POST":
        chosen = request.POST.get("language", "")
        if chosen in questionnaire.languages:
            services.draft_language_set(code_id=state.code_id, language=chosen)
            request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "lang": chosen}
            return redirect("surveys:info")
    choices = [
        {
            "code": code,
            "name": translation.get_language_info(code)["name_local"].capitalize(),
            "rtl": qn.text_direction(code) == "rtl",
            "draft": code in questionnaire.draft_languages,
            "checked": code == state.language,
        }
        for code in questionnaire.languages
    ]
    return _render(request, "surveys/language.html", state.language, {"choices": choices})


@pupil_page
def info(request: HttpRequest, state: PupilState) -> HttpResponse:
    flow = state.flow
    page = flow.info_page
    context = {
        "title": qn.translate(page.title if page else flow.questionnaire.title, state.language),
        "items": pupil.item_views(page.items, state.language, {}, {}, []) if page else [],
        "first_page": flow.step(0, 1, {}),
    }
    return _render(request, "surveys/info.html", state.language, context)


def _districts(municipality_id: int) -> list[tuple[str, str]]:
    rows = District.objects.filter(municipality_id=municipality_id).order_by("name")
    return list(rows.values_list("code", "name"))


@pupil_page
def page(request: HttpRequest, state: PupilState, number: int) -> HttpResponse:
    flow = state.flow
    if not 1 <= number <= flow.count:
        raise Http404
    draft = SheetDraft.objects.filter(code_id=state.code_id).first()
    if draft is None:  # submitted elsewhere, or the wave closed and drafts were purged
        request.session.flush()
        if request.method == "POST":
            # A final submit retried after its sheet was stored but before the session
            # was cleared (the database went away in between): the same thank-you page.
            return _submit_retry(request)
        return redirect(reverse("surveys:start") + "?fortsatt=1")
    answers: dict[str, Any] = dict(draft.answers)
    questionnaire = flow.questionnaire
    page_index = flow.question_pages[number - 1]
    fields = flow.page_fields(number)
    items = flow.page(number).items
    has_district = any(item.type == "district" for item in items)
    districts = _districts(state.municipality_id) if has_district else []
    errors: dict[str, str] = {}
    values = pupil.saved_values(answers)
    if request.method == "POST":
        raw = dict(request.POST.lists())
        earlier = {code: a for code, a in answers.items() if code not in fields}
        cleaned, errors = qn.clean_page_answers(
            questionnaire, page_index, raw, [code for code, _name in districts], earlier
        )
        merged = qn.prune_hidden_answers(questionnaire, {**earlier, **cleaned})
        action = request.POST.get("nav", "next")
        if action == "back":
            target = flow.step(number, -1, merged)
            services.draft_save(code_id=state.code_id, answers=merged, page=max(target, 1))
            return (
                redirect("surveys:page", number=target) if target >= 1 else redirect("surveys:info")
            )
        if not errors:
            target = flow.step(number, 1, merged)
            if target <= flow.count:
                services.draft_save(code_id=state.code_id, answers=merged, page=target)
                return redirect("surveys:page", number=target)
            return _submit(request, state, merged)
        services.draft_save(code_id=state.code_id, answers=merged, page=number)
        values = {**pupil.saved_values(merged), **{k: v for k, v in raw.items() if k in fields}}
        answers = merged
    context = {
        "number": number,
        "count": flow.count,
        "title": qn.translate(flow.page(number).title, state.language),
        "intro": qn.translate(flow.page(number).intro or {}, state.language)
        if flow.page(number).intro
        else "",
        "items": pupil.item_views(
            flow.shown_items(number, answers), state.language, values, errors, districts
        ),
        "errors": bool(errors),
        "tampered": any(e == qn.FieldError.UNKNOWN_FIELD for e in errors.values()),
        "last": flow.step(number, 1, answers) > flow.count,
        "help": pupil.help_views(questionnaire, state.language)
        if flow.page(number).help_after
        else [],
        "submission_id": state.submission_id,
    }
    return _render(request, "surveys/page.html", state.language, context, 200)


def _submit(request: HttpRequest, state: PupilState, answers: dict[str, Any]) -> HttpResponse:
    result = services.sheet_submit(
        code_id=state.code_id,
        submission_id=state.submission_id,
        answers=answers,
        language=state.language,
    )
    if result.accepted:
        request.session.flush()  # nothing of the pupil stays on a shared computer
        return redirect("surveys:thanks", version=state.version_id, language=state.language)
    # Not stored: keep the answers (a closed wave may reopen; nothing is lost).
    services.draft_save(code_id=state.code_id, answers=answers, page=state.flow.count)
    message = {
        "conflict": str(CONFLICT_MESSAGE),
        "spent": _("Koden har redan använts för att skicka in svar."),
        "closed": str(CLOSED_MESSAGE),
    }[result.status]
    return _render(request, "surveys/problem.html", state.language, {"message": message}, 409)


def _submit_retry(request: HttpRequest) -> HttpResponse:
    """A final submit whose session is already gone (a double click, a retried request).

    The hidden submission id finds the stored sheet; the posted page must match it.
    """
    try:
        submission_id = uuid.UUID(request.POST.get("submission_id", ""))
    except ValueError:
        return redirect(reverse("surveys:start") + "?fortsatt=1")
    retry = services.sheet_retry_check(submission_id=submission_id, raw=dict(request.POST.lists()))
    if retry is None:
        return redirect(reverse("surveys:start") + "?fortsatt=1")
    if retry.result.accepted:
        return redirect("surveys:thanks", version=retry.questionnaire_id, language=retry.language)
    with translation.override(retry.language):
        context = {"message": str(CONFLICT_MESSAGE)}
        return _render(request, "surveys/problem.html", retry.language, context, 409)


@never_cache
@require_GET
def thanks(request: HttpRequest, version: int, language: str) -> HttpResponse:
    try:
        flow = flow_for_id(version)
    except QuestionnaireVersion.DoesNotExist:
        raise Http404 from None
    if language not in flow.questionnaire.languages:
        language = qn.MASTER_LANGUAGE
    page = flow.thanks_page
    with translation.override(language):
        context = {
            "title": qn.translate(page.title, language) if page else _("Tack!"),
            "items": pupil.item_views(page.items, language, {}, {}, []) if page else [],
            "help": pupil.help_views(flow.questionnaire, language),
        }
        return _render(request, "surveys/thanks.html", language, context)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A missing or stale CSRF token: explain in the pupil's language; answers are kept."""
    data = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    language = data["lang"] if data else (translation.get_language() or "sv")
    with translation.override(language):
        context = {
            "message": _(
                "Sidan hade varit öppen för länge eller skickades två gånger. Inget av det du "
                "redan har svarat har försvunnit. Gå tillbaka och försök igen."
            ),
            "back": request.path if data else reverse("surveys:start"),
        }
        response = _render(request, "surveys/problem.html", language, context, 403)
    response["Cache-Control"] = "no-store"
    return response


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Service status for monitoring. 200 while answers can be accepted, else 503."""
    result = health.check()
    return JsonResponse(result.as_dict(), status=200 if result.accepts_answers else 503)
