"""Views of the pupil flow and the health check.

Flow: code (/) → language (/sprak/) → information (/info/) → question pages
(/sida/1/ … /sida/n/, only as far as the pages' own buttons led) → submit → thank-you
page (/tack/<version>/<language>/); "Avsluta utan att skicka" (/avsluta/) ends the
session on this device at any point. Every page works without JavaScript, sends
`Cache-Control: no-store` (shared school computers) and never puts a code in a URL, so
no access log line can hold one. The pupil's session holds a random token (see
`pupil_sessions`), never the code or the submission id.
"""

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import health, languages, pupil, pupil_sessions, selectors, services
from . import questionnaire as qn
from .entry import code_enter
from .flow import Flow, flow_for_id
from .models import District, QuestionnaireVersion, SheetDraft
from .pupil_forms import CodeEntryForm

SESSION_KEY = "pupil"
# After a submit: only where the thank-you page is (a repeated submit lands there too).
DONE_KEY = "pupil_done"
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
        "För många felaktiga försök med koder från din klass. Kontrollera koden och försök "
        "igen om en stund, eller fråga din lärare."
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
# Why the start page is shown again: each gets a sentence there.
START_REASONS = {"fortsatt", "tid", "avslutad"}


class PupilState:
    """The pupil's place in the flow: the session's language and questionnaire, and the
    draft its token leads to (the session itself never holds the code)."""

    def __init__(self, data: dict[str, Any], draft: SheetDraft) -> None:
        self.token: str = data["token"]
        self.language: str = data["lang"]
        self.version_id: int = data["qv"]
        self.municipality_id: int = data["muni"]
        self.offered: list[str] = data.get("langs") or [qn.MASTER_LANGUAGE]
        self.draft = draft
        self.code_id = draft.code_id
        self.submission_id = draft.submission_id

    @property
    def flow(self) -> Flow:
        return flow_for_id(self.version_id)


type PupilView = Callable[..., HttpResponse]


def _start_again(request: HttpRequest, reason: str, language: str = "") -> HttpResponse:
    request.session.flush()
    query = f"{reason}=1" + (f"&sprak={language}" if language else "")
    return redirect(f"{reverse('surveys:start')}?{query}")


def _thanks_after_submit(request: HttpRequest, version_id: int, language: str) -> HttpResponse:
    """Forget the pupil's token on this device; remember only where the thank-you page is."""
    request.session.pop(SESSION_KEY, None)
    request.session[DONE_KEY] = {"qv": version_id, "lang": language}
    return redirect("surveys:thanks", version=version_id, language=language)


def pupil_page(view: PupilView) -> Callable[..., HttpResponse]:
    """Needs a started pupil; renders in the pupil's language; never cached.

    What a request without a session gets never depends on what it posts: it carries
    nothing the requester got from their own session.
    """

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        data = request.session.get(SESSION_KEY)
        if not data:
            done = request.session.get(DONE_KEY)
            if done:  # a double click or a reload after this device submitted
                return redirect("surveys:thanks", version=done["qv"], language=done["lang"])
            return redirect(reverse("surveys:start") + "?fortsatt=1")
        if "token" not in data:  # a session from before pupil tokens: start again
            return _start_again(request, "fortsatt")
        found = pupil_sessions.pupil_session_touch(token=data["token"])
        if found.status == "submitted":  # here, or on another device with the same code
            return _thanks_after_submit(request, data["qv"], data["lang"])
        if found.status == "expired":
            return _start_again(request, "tid", data.get("lang", ""))
        if found.draft is None:  # the wave closed and its drafts were purged, or idle
            return _start_again(request, "fortsatt", data.get("lang", ""))
        state = PupilState(data, found.draft)
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
        "idle_minutes": settings.PUPIL_IDLE_TIMEOUT // 60,
    }
    return render(request, template, context, status=status)


def _start_language(request: HttpRequest, offered: list[str]) -> str:
    """The start page's language: the pupil's pick (`?sprak=`), else the browser's."""
    picked = request.GET.get("sprak", "")
    if picked in offered:
        return picked
    guessed = (translation.get_language() or qn.MASTER_LANGUAGE).split("-")[0]
    return guessed if guessed in offered else qn.MASTER_LANGUAGE


@never_cache
@sensitive_post_parameters("code")
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The pupil's start page: enter the one-time code from the slip."""
    offered = selectors.start_languages()
    language = _start_language(request, offered)
    also: list[dict[str, str]] = []
    with translation.override(language):
        form = CodeEntryForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            entry = code_enter(typed=form.cleaned_data["code"], language=language)
            if entry.status == "ok" and entry.draft is not None:
                return _begin(request, entry.draft)
            form.add_error("code", str(ENTRY_MESSAGES[entry.status]))
            if entry.status == "closed" and entry.questionnaire_id is not None:
                also = _in_other_languages(ENTRY_MESSAGES["closed"], entry.questionnaire_id)
        reason = next((r for r in START_REASONS if request.GET.get(r) == "1"), "")
        context = {
            "form": form,
            "also": also,
            "reason": reason,
            "languages": [
                {"code": code, "name": languages.name(code), "current": code == language}
                for code in offered
            ],
        }
        return _render(request, "surveys/start.html", language, context)


def _in_other_languages(message: Any, version_id: int) -> list[dict[str, str]]:
    """``message`` in the questionnaire's other languages that have a translation of it:
    a closed wave's languages are no longer offered on the start page, but its pupils may
    read one of them."""
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


def _begin(request: HttpRequest, draft: SheetDraft) -> HttpResponse:
    """A right code: a fresh session on this device that holds only a token to the draft."""
    draft = SheetDraft.objects.select_related("code__wave").get(pk=draft.pk)
    wave = draft.code.wave
    offered = languages.offered(wave.languages, flow_for_id(wave.questionnaire_id).questionnaire)
    language = draft.language if draft.language in offered else qn.MASTER_LANGUAGE
    # Whatever an earlier user of this browser left is gone; the cookie ends when the
    # browser closes (and the token after PUPIL_IDLE_TIMEOUT without a request).
    request.session.flush()
    request.session.set_expiry(0)
    request.session[SESSION_KEY] = {
        "token": pupil_sessions.pupil_session_open(draft=draft),
        "lang": language,
        "langs": offered,
        "qv": wave.questionnaire_id,
        "muni": wave.municipality_id,
    }
    if draft.page >= 1:  # resuming: back to where the pupil was
        return redirect("surveys:page", number=draft.page)
    return redirect("surveys:language")


@pupil_page
@require_POST
def leave(request: HttpRequest, state: PupilState) -> HttpResponse:
    """ "Leave without submitting": this device forgets the pupil at once; the answers stay
    in the draft, and the code resumes them on any device."""
    pupil_sessions.pupil_session_end(token=state.token)
    return _start_again(request, "avslutad", state.language)


@pupil_page
def language(request: HttpRequest, state: PupilState) -> HttpResponse:
    questionnaire = state.flow.questionnaire
    if request.method == "POST":
        chosen = request.POST.get("language", "")
        if chosen in state.offered:
            services.draft_language_set(code_id=state.code_id, language=chosen)
            request.session[SESSION_KEY] = {**request.session[SESSION_KEY], "lang": chosen}
            return redirect("surveys:info")
    choices = [
        {
            "code": code,
            "name": languages.name(code),
            "rtl": qn.text_direction(code) == "rtl",
            "draft": not languages.checked(questionnaire, code),
            "checked": code == state.language,
        }
        for code in state.offered
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
    draft = state.draft
    answers: dict[str, Any] = dict(draft.answers)
    # Only pages the pupil reached by the pages' own buttons (and the first) can be opened.
    reachable = max(draft.furthest, flow.step(0, 1, answers))
    if not 1 <= number <= min(reachable, flow.count):
        return redirect("surveys:page", number=min(max(draft.page, 1), reachable, flow.count))
    questionnaire = flow.questionnaire
    page_index = flow.question_pages[number - 1]
    fields = flow.page_fields(number)
    items = flow.page(number).items
    has_district = any(item.type == "district" for item in items)
    districts = _districts(state.municipality_id) if has_district else []
    errors: dict[str, str] = {}
    values = pupil.saved_values(answers)
    review = request.method == "GET" and request.GET.get("granska") == "1"
    if review:  # sent back here by the final check: show what is missing on this page
        _checked, problems = qn.clean_sheet(
            questionnaire, answers, [code for code, _name in _districts(state.municipality_id)]
        )
        errors = {code: error for code, error in problems.items() if code in fields}
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
                services.draft_save(
                    code_id=state.code_id, answers=merged, page=target, reached=target
                )
                return redirect("surveys:page", number=target)
            return _final_submit(request, state, merged)
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
        "review": review and bool(errors),
        "tampered": any(e == qn.FieldError.UNKNOWN_FIELD for e in errors.values()),
        "last": flow.step(number, 1, answers) > flow.count,
        "help": pupil.help_views(questionnaire, state.language)
        if flow.page(number).help_after
        else [],
        "submission_id": state.submission_id,
    }
    return _render(request, "surveys/page.html", state.language, context, 200)


def _final_submit(request: HttpRequest, state: PupilState, answers: dict[str, Any]) -> HttpResponse:
    """Check the whole sheet against its questionnaire version, then store it.

    A missing required answer (or any answer the version does not allow) sends the pupil
    to the first page concerned, with everything they entered kept in the draft.
    """
    flow = state.flow
    district_codes = [code for code, _name in _districts(state.municipality_id)]
    checked, problems = qn.clean_sheet(flow.questionnaire, answers, district_codes)
    if problems:
        number = next(n for n in range(1, flow.count + 1) if flow.page_fields(n) & problems.keys())
        services.draft_save(code_id=state.code_id, answers=answers, page=number)
        return redirect(reverse("surveys:page", kwargs={"number": number}) + "?granska=1")
    return _submit(request, state, checked)


def _submit(request: HttpRequest, state: PupilState, answers: dict[str, Any]) -> HttpResponse:
    result = services.sheet_submit(
        code_id=state.code_id,
        submission_id=state.submission_id,
        answers=answers,
        language=state.language,
    )
    if result.accepted:
        return _thanks_after_submit(request, state.version_id, state.language)
    # Not stored: keep the answers (a closed wave may reopen; nothing is lost).
    services.draft_save(code_id=state.code_id, answers=answers, page=state.flow.count)
    message = {
        "conflict": str(CONFLICT_MESSAGE),
        "spent": _("Koden har redan använts för att skicka in svar."),
        "closed": str(CLOSED_MESSAGE),
    }[result.status]
    return _render(request, "surveys/problem.html", state.language, {"message": message}, 409)


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
