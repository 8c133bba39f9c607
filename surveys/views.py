"""Views of the pupil flow and the health check (long because the flow reads as one unit).

Flow (nine requests for the default questionnaire): the start page (/) takes the code in
the language the page is shown in, and answers with the first question page, which opens
with the questionnaire's information; each question page's "Next" answers with the next
page (its form posts to /sida/<n>/ and the answer shows page n + 1), the last page's
submit redirects to the thank-you page (/tack/<version>/<language>/). Another language:
/sprak/ from any question page. "Avsluta utan att skicka" (/avsluta/) ends the session on
this device at any point. Every page works without JavaScript, sends
`Cache-Control: no-store` (shared school computers) and never puts a code in a URL, so no
access log line can hold one. The pupil's browser holds a signed cookie with a random
token (see `pupil_sessions`), never the code or the submission id.

Back button and reload: every page form carries the token of the draft version it was
made from (`services.page_token`). A form posted again (the browser's "resend" after Back
or a reload of a page that answered a POST) or posted from a page the draft has moved on
from saves nothing: the same answers lead to the page they led to before; other answers
come back on their page, unsaved, with a note, so nothing is lost and nothing newer is
overwritten.
"""

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from . import health, languages, pupil, pupil_sessions, selectors, services
from . import questionnaire as qn
from .entry import code_enter
from .flow import Flow, flow_for_id
from .models import QuestionnaireVersion, SheetDraft
from .pupil_forms import CodeEntryForm

ENTRY_MESSAGES = {
    "invalid": gettext_lazy(
        "Det där ser inte ut som en kod. En kod har tre grupper med fyra tecken, "
        "till exempel KX7P-M4RD-Q9ZT."
    ),
    "wrong": gettext_lazy("Koden finns inte. Kontrollera att du har skrivit av den rätt."),
    # Not "ask for a new code" first: a pupil whose submit went through but whose page
    # did not arrive would answer twice.
    "spent": gettext_lazy(
        "Koden har redan använts för att skicka in svar, och de svaren är sparade: du "
        "behöver inte svara igen. Har du inte svarat själv? Fråga din lärare om en ny kod."
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
# A pupil whose wave closed while they answered: nothing was sent in. The draft is kept
# for PUPIL_DRAFT_GRACE_DAYS in case the wave opens again, but a pupil cannot count on
# that, so the message promises nothing about it.
CLOSED_MESSAGE = gettext_lazy(
    "Enkäten har stängt, så svaren kunde inte skickas in. Tack för att du ville vara med!"
)
CONFLICT_MESSAGE = gettext_lazy(
    "De här svaren har redan skickats in med andra svar och sparades inte."
)
# Why the start page is shown again: each gets a sentence there.
START_REASONS = {"fortsatt", "tid", "avslutad"}


class PupilState:
    """The pupil's place in the flow: the cookie's language and questionnaire, and the
    draft its token leads to (the cookie itself never holds the code)."""

    def __init__(self, data: dict[str, Any], draft: SheetDraft) -> None:
        self.token: str = data["t"]
        self.language: str = data["l"]
        self.version_id: int = data["q"]
        self.municipality_id: int = data["m"]
        self.offered: list[str] = data.get("ls") or [qn.MASTER_LANGUAGE]
        self.draft = draft
        self.code_id = draft.code_id
        self.submission_id = draft.submission_id
        self.cookie_changed = False

    @property
    def flow(self) -> Flow:
        return flow_for_id(self.version_id)

    def cookie(self) -> dict[str, Any]:
        return {
            "t": self.token,
            "l": self.language,
            "ls": self.offered,
            "q": self.version_id,
            "m": self.municipality_id,
        }


type PupilView = Callable[..., HttpResponse]


def _start_again(reason: str, language: str = "") -> HttpResponse:
    query = f"{reason}=1" + (f"&sprak={language}" if language else "")
    response = redirect(f"{reverse('surveys:start')}?{query}")
    pupil_sessions.pupil_cookie_clear(response)
    return response


def _thanks_after_submit(version_id: int, language: str, municipality_id: int) -> HttpResponse:
    """Forget the pupil's token on this device; remember only where the thank-you page is
    (and the kommun, whose own help resources it shows)."""
    response = redirect("surveys:thanks", version=version_id, language=language)
    done = {"q": version_id, "l": language, "m": municipality_id}
    pupil_sessions.pupil_cookie_write(response, {"done": done})
    return response


def pupil_page(view: PupilView) -> Callable[..., HttpResponseBase]:
    """Needs a started pupil; renders in the pupil's language; never cached.

    What a request without a session gets never depends on what it posts: it carries
    nothing the requester got from their own session.
    """

    @functools.wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        data = pupil_sessions.pupil_cookie_read(request)
        if not data or "t" not in data:
            done = data.get("done") if data else None
            if done:  # a double click or a reload after this device submitted
                return redirect("surveys:thanks", version=done["q"], language=done["l"])
            return redirect(reverse("surveys:start") + "?fortsatt=1")
        found = pupil_sessions.pupil_session_touch(token=data["t"])
        if found.status == "submitted":  # here, or on another device with the same code
            return _thanks_after_submit(data["q"], data["l"], data["m"])
        if found.status == "expired":
            return _start_again("tid", data.get("l", ""))
        if found.draft is None:  # the wave closed and its drafts were purged, or left
            return _start_again("fortsatt", data.get("l", ""))
        state = PupilState(data, found.draft)
        with translation.override(state.language):
            if not found.takes_answers:
                # The wave closed while the pupil answered: say so in their language
                # rather than losing the answers silently; the session ends here.
                response = _render(
                    request,
                    "surveys/problem.html",
                    state.language,
                    {"message": str(CLOSED_MESSAGE)},
                    409,
                )
                pupil_sessions.pupil_cookie_clear(response)
                return response
            response = view(request, state, *args, **kwargs)
        if state.cookie_changed:
            pupil_sessions.pupil_cookie_write(response, state.cookie())
        return response

    return wrapper


def _render(
    request: HttpRequest,
    template: str,
    language: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    per_request: dict[str, str] | None = None,
    fixed: dict[str, Any] | None = None,
) -> HttpResponse:
    """With `per_request`, `context` holds only what every pupil on this page shares, and
    the page is filled into its cached frame (`pupil.framed_render`, with `fixed`)."""
    context = {
        **context,
        "page_language": language,
        "page_rtl": qn.text_direction(language) == "rtl",
        "idle_minutes": settings.PUPIL_IDLE_TIMEOUT // 60,
    }
    if per_request is None:
        return render(request, template, context, status=status)
    html = pupil.framed_render(request, template, context, per_request, fixed=fixed)
    return HttpResponse(html, status=status)


def _start_language(request: HttpRequest, offered: list[str]) -> str:
    """The start page's language: the pupil's pick (`?sprak=`), else the browser's."""
    picked = request.GET.get("sprak", "")
    if picked in offered:
        return picked
    guessed = (translation.get_language() or qn.MASTER_LANGUAGE).split("-")[0]
    return guessed if guessed in offered else qn.MASTER_LANGUAGE


@never_cache
@sensitive_post_parameters("code")
# HEAD as well: uptime monitors and load balancers probe the front page with it.
@require_http_methods(["GET", "HEAD", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """The pupil's start page: enter the one-time code from the slip, in the language the
    page is shown in (its language links switch it); a right code answers with the first
    question page (or the page where the pupil left off)."""
    ended = _end_earlier_session(request)
    entry = None
    if request.method == "POST":
        # Which languages the start page offers is asked only when it is shown again: a
        # right code's wave decides the pupil's language from its own (`_begin`).
        typed = CodeEntryForm(request.POST)
        if typed.is_valid():
            picked = _start_language(request, list(languages.INTERFACE_LANGUAGES))
            entry = code_enter(typed=typed.cleaned_data["code"], language=picked)
            if entry.status == "ok" and entry.draft is not None:
                return _begin(request, entry.draft, entry.token, picked)
    offered = selectors.start_languages()
    language = _start_language(request, offered)
    also: list[dict[str, str]] = []
    with translation.override(language):
        form = CodeEntryForm(request.POST or None)
        if entry is not None and form.is_valid():
            form.add_error("code", str(ENTRY_MESSAGES[entry.status]))
            if entry.status == "closed" and entry.questionnaire_id is not None:
                also = _in_other_languages(ENTRY_MESSAGES["closed"], entry.questionnaire_id)
        reason = next((r for r in START_REASONS if request.GET.get(r) == "1"), "")
        context = {
            "also": also,
            "reason": reason,
            "languages": [
                {"code": code, "name": languages.name(code), "current": code == language}
                for code in offered
            ],
        }
        if form.is_bound:  # the typed code and its message are this request's own
            response = _render(request, "surveys/start.html", language, {**context, "form": form})
        else:  # the empty form renders the same for everyone in this language
            response = _render(
                request,
                "surveys/start.html",
                language,
                context,
                per_request={},
                fixed={"form": form},
            )
    if ended:
        pupil_sessions.pupil_cookie_clear(response)
    return response


def _end_earlier_session(request: HttpRequest) -> bool:
    """The start page asked for in a browser that still holds a pupil's token: whoever
    asks is starting anew (the next pupil at a shared computer, or the same pupil who went
    back to it), so that token leads nowhere from now on, and the pages of whoever used
    the browser before cannot be opened again from its history. The draft stays: its code
    resumes it, on this device or another."""
    data = pupil_sessions.pupil_cookie_read(request)
    if not data or "t" not in data:
        return False
    pupil_sessions.pupil_session_end(token=data["t"])
    return True


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


def _begin(request: HttpRequest, draft: SheetDraft, token: str, language: str) -> HttpResponse:
    """A right code: this device's cookie holds only a token to the draft (whatever an
    earlier user of this browser left is replaced), and the answer is the pupil's page.

    The language is the start page's when the wave offers it (the pupil read the page in
    it), else the draft's, else Swedish; without a choice of their own (several offered,
    none picked on the start page) the pupil can still switch on every question page.
    """
    wave = draft.code.wave
    offered = languages.offered(wave.languages, flow_for_id(wave.questionnaire_id).questionnaire)
    if language not in offered:
        language = draft.language if draft.language in offered else qn.MASTER_LANGUAGE
    if language != draft.language:
        services.draft_language_set(code_id=draft.code_id, language=language)
    data = {
        "t": token,
        "l": language,
        "ls": offered,
        "q": wave.questionnaire_id,
        "m": wave.municipality_id,
    }
    state = PupilState(data, draft)
    flow = state.flow
    answers: dict[str, Any] = dict(draft.answers)
    reachable = min(max(draft.furthest, flow.step(0, 1, answers)), flow.count)
    number = min(max(draft.page, 1), reachable)
    with translation.override(language):
        response = _page_response(request, state, number, answers, draft.updated_at)
    pupil_sessions.pupil_cookie_write(response, data)
    return response


@pupil_page
@require_POST
def leave(request: HttpRequest, state: PupilState) -> HttpResponse:
    """ "Leave without submitting": this device forgets the pupil at once; the answers stay
    in the draft, and the code resumes them on any device."""
    pupil_sessions.pupil_session_end(token=state.token)
    return _start_again("avslutad", state.language)


def _current_page(state: PupilState) -> int:
    flow = state.flow
    answers: dict[str, Any] = dict(state.draft.answers)
    reachable = min(max(state.draft.furthest, flow.step(0, 1, answers)), flow.count)
    return min(max(state.draft.page, 1), reachable)


@pupil_page
def language(request: HttpRequest, state: PupilState) -> HttpResponse:
    """Another language, from any question page; back to the pupil's page after."""
    questionnaire = state.flow.questionnaire
    if request.method == "POST":
        chosen = request.POST.get("language", "")
        if chosen in state.offered:
            services.draft_language_set(code_id=state.code_id, language=chosen)
            state.language = chosen
            state.cookie_changed = True
            return redirect("surveys:page", number=_current_page(state))
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
    context = {"choices": choices, "back": _current_page(state)}
    return _render(request, "surveys/language.html", state.language, context)


@pupil_page
def info(request: HttpRequest, state: PupilState) -> HttpResponse:
    """The information now opens the first question page; an old link leads there."""
    return redirect("surveys:page", number=_current_page(state))


def _page_response(
    request: HttpRequest,
    state: PupilState,
    number: int,
    answers: dict[str, Any],
    version: datetime,
    *,
    values: dict[str, list[str]] | None = None,
    errors: dict[str, str] | None = None,
    review: bool = False,
    outdated: bool = False,
) -> HttpResponse:
    """Question page `number`, showing `values` (default: the saved answers), with a form
    that carries the token of the draft's `version`."""
    flow = state.flow
    errors = errors or {}
    page = flow.page(number)
    has_district = any(item.type == "district" for item in page.items)
    districts = selectors.district_choices(state.municipality_id) if has_district else []
    info_page = flow.info_page if number == 1 else None
    context = {
        "number": number,
        "count": flow.count,
        "title": qn.translate(page.title, state.language),
        "intro": qn.translate(page.intro, state.language) if page.intro else "",
        "info_title": qn.translate(info_page.title, state.language) if info_page else "",
        "info_html": pupil.items_html(
            info_page.items, state.language, {}, {}, [], key=(state.version_id, "info")
        )
        if info_page
        else "",
        "errors": bool(errors),
        "review": review and bool(errors),
        "tampered": any(e == qn.FieldError.UNKNOWN_FIELD for e in errors.values()),
        "outdated": outdated,
        "last": flow.step(number, 1, answers) > flow.count,
        "help": pupil.help_views(
            flow.questionnaire, state.language, municipality_id=state.municipality_id
        )
        if page.help_after
        else [],
        "languages": len(state.offered) > 1,
    }
    per_request = {
        "items_html": pupil.items_html(
            flow.shown_items(number, answers),
            state.language,
            pupil.saved_values(answers) if values is None else values,
            errors,
            districts,
            key=(state.version_id, number),
        ),
        "submission_id": str(state.submission_id),
        "token": services.page_token(submission_id=state.submission_id, version=version),
    }
    return _render(request, "surveys/page.html", state.language, context, per_request=per_request)


@pupil_page
def page(request: HttpRequest, state: PupilState, number: int) -> HttpResponse:
    flow = state.flow
    draft = state.draft
    answers: dict[str, Any] = dict(draft.answers)
    # Only pages the pupil reached by the pages' own buttons (and the first) can be opened.
    reachable = max(draft.furthest, flow.step(0, 1, answers))
    if not 1 <= number <= min(reachable, flow.count):
        return redirect("surveys:page", number=min(max(draft.page, 1), reachable, flow.count))
    if request.method != "POST":
        errors: dict[str, str] = {}
        review = request.GET.get("granska") == "1"
        if review:  # sent back here by the final check: show what is missing on this page
            district_codes = [c for c, _n in selectors.district_choices(state.municipality_id)]
            _checked, problems = qn.clean_sheet(flow.questionnaire, answers, district_codes)
            fields = flow.page_fields(number)
            errors = {code: error for code, error in problems.items() if code in fields}
        return _page_response(
            request, state, number, answers, draft.updated_at, errors=errors, review=review
        )
    return _page_post(request, state, number)


def _page_post(request: HttpRequest, state: PupilState, number: int) -> HttpResponse:
    flow = state.flow
    draft = state.draft
    answers: dict[str, Any] = dict(draft.answers)
    fields = flow.page_fields(number)
    raw = dict(request.POST.lists())
    earlier = {code: a for code, a in answers.items() if code not in fields}
    has_district = any(item.type == "district" for item in flow.page(number).items)
    district_codes = (
        [c for c, _n in selectors.district_choices(state.municipality_id)] if has_district else []
    )
    cleaned, errors = qn.clean_page_answers(
        flow.questionnaire, flow.question_pages[number - 1], raw, district_codes, earlier
    )
    merged = qn.prune_hidden_answers(flow.questionnaire, {**earlier, **cleaned})
    action = request.POST.get("nav", "next")
    posted_values = {k: v for k, v in raw.items() if k in fields}
    current = services.page_token(submission_id=state.submission_id, version=draft.updated_at)
    if request.POST.get("steg") != current:
        return _outdated_post(request, state, number, action, cleaned, posted_values)
    target = flow.step(number, -1 if action == "back" else 1, merged)
    if action != "back" and not errors and target > flow.count:
        return _final_submit(request, state, merged)
    stay = action != "back" and bool(errors)
    version = services.draft_page_save(
        code_id=state.code_id,
        version=draft.updated_at,
        answers=merged,
        page=number if stay else max(target, 1),
        reached=None if stay or action == "back" else target,
    )
    if version is None:  # another post of this page was saved a moment ago
        return _outdated_post(request, state, number, action, cleaned, posted_values)
    if action == "back":
        # Back is a redirect: the browser's history then holds a page it can load again.
        return redirect("surveys:page", number=max(target, 1))
    if stay:
        values = {**pupil.saved_values(merged), **posted_values}
        return _page_response(request, state, number, merged, version, values=values, errors=errors)
    return _page_response(request, state, target, merged, version)


def _outdated_post(
    request: HttpRequest,
    state: PupilState,
    number: int,
    action: str,
    cleaned: dict[str, Any],
    posted_values: dict[str, list[str]],
) -> HttpResponse:
    """A page form from an earlier version of the draft: nothing is saved.

    A form made for another draft (another pupil's, from this browser's history): on to
    this pupil's own page, showing nothing of it.

    The same answers as saved (the browser resent the form): on to the page they led to.
    Other answers (typed into a page the pupil has meanwhile answered elsewhere): back on
    their page, unsaved, with a note, to check and send again.
    """
    if request.POST.get("submission_id") != str(state.submission_id):
        # A form made for another pupil's draft: a page of whoever used this browser
        # before, resent from its history. Nothing of it is shown, saved or compared.
        return redirect("surveys:page", number=_current_page(state))
    flow = state.flow
    draft = state.draft
    saved: dict[str, Any] = dict(draft.answers)
    fields = flow.page_fields(number)
    if all(saved.get(code) == cleaned.get(code) for code in fields):
        target = flow.step(number, -1 if action == "back" else 1, saved)
        reachable = min(max(draft.furthest, flow.step(0, 1, saved)), flow.count)
        if not 1 <= target <= reachable:
            target = _current_page(state)
        return redirect("surveys:page", number=target)
    values = {**pupil.saved_values(saved), **posted_values}
    return _page_response(
        request, state, number, saved, draft.updated_at, values=values, outdated=True
    )


def _final_submit(request: HttpRequest, state: PupilState, answers: dict[str, Any]) -> HttpResponse:
    """Check the whole sheet against its questionnaire version, then store it.

    A missing required answer (or any answer the version does not allow) sends the pupil
    to the first page concerned, with everything they entered kept in the draft.
    """
    flow = state.flow
    district_codes = [c for c, _n in selectors.district_choices(state.municipality_id)]
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
        return _thanks_after_submit(state.version_id, state.language, state.municipality_id)
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
    # The kommun's own help, when this device just submitted (the cookie says which kommun).
    data = pupil_sessions.pupil_cookie_read(request)
    done = data.get("done") if data else None
    kommun = done.get("m") if isinstance(done, dict) and done.get("q") == version else None
    with translation.override(language):
        context = {
            "title": qn.translate(page.title, language) if page else _("Tack!"),
            "items": pupil.item_views(page.items, language, {}, {}, []) if page else [],
            "help": pupil.help_views(
                flow.questionnaire,
                language,
                municipality_id=kommun if isinstance(kommun, int) else None,
            ),
        }
        return _render(request, "surveys/thanks.html", language, context, per_request={})


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A missing or stale CSRF token: explain in the pupil's language; answers are kept."""
    data = pupil_sessions.pupil_cookie_read(request)
    started = bool(data and "t" in data)
    language = data["l"] if data and started else (translation.get_language() or "sv")
    with translation.override(language):
        context = {
            "message": _(
                "Sidan hade varit öppen för länge eller skickades två gånger. Inget av det du "
                "redan har svarat har försvunnit. Gå tillbaka och försök igen."
            ),
            "back": request.path if started else reverse("surveys:start"),
        }
        response = _render(request, "surveys/problem.html", language, context, 403)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Service status for monitoring. 200 while answers can be accepted, else 503."""
    result = health.check()
    return JsonResponse(result.as_dict(), status=200 if result.accepts_answers else 503)
