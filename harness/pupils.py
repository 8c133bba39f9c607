"""Simulated pupils for the survey-day harness: each walks the real pupil flow over HTTP.

Nothing here knows the questionnaire. A pupil behaves as a browser user would: on the
start page it may pick another language from the page's language links, then types its
code; on every page it presses the page's primary button (the form with a `btn-primary` /
`btn-success` button) or, on a page without such a form, follows the primary link (the
information page's "Börja svara"). It never presses a secondary button by mistake (the
"leave without submitting" form is on every page), only on purpose: now and then a
pupil leaves and comes back with its code, as the flow allows.

A question form is filled from the HTML: every radio group, checkbox group, select and
number field gets a plausible answer; an optional one may be skipped, a required one
(marked "obligatorisk", or `required`) never. A field the page marks as wrong (an
`err-<field>` message, e.g. after the final check sent the pupil back) is answered
anew with a single plain choice. Hidden fields (the CSRF token) are sent back as a
browser does; nothing relies on an identifier in the page or the session: the harness
matches each pupil to its stored sheet by the answers. A timeout, a dropped connection or
a 5xx answer is retried with exactly the same form data (the session cookie lets the
server recognise a repeated final submit).
"""

import asyncio
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx

# One log line per request would drown everything else.
logging.getLogger("httpx").setLevel(logging.WARNING)

# Answer languages as pupils choose them on survey day (Swedish first).
LANGUAGE_WEIGHTS = {"sv": 0.8, "en": 0.12, "ar": 0.08}
THANKS_PATH = "/tack/"
PRIMARY_CLASSES = ("btn-primary", "btn-success")
# The "leave without submitting" button: pressed only on purpose (LoadConfig.leave_rate).
LEAVE_CLASSES = ("btn-outline-danger",)
# Numbers a pupil types; a number the page marks as wrong is answered again with the first.
NUMBERS = ("0", "0", "1", "2", "3", "5", "8")


def _has_class(classes: str, wanted: tuple[str, ...]) -> bool:
    return any(css in classes.split() for css in wanted)


@dataclass
class Choice:
    value: str
    checked: bool = False


@dataclass
class Control:
    kind: str  # "hidden", "radio", "checkbox", "select", "text", "submit"
    name: str
    choices: list[Choice] = field(default_factory=list)
    value: str = ""
    classes: str = ""
    numeric: bool = False
    required: bool = False


@dataclass
class Link:
    href: str
    classes: str = ""
    hreflang: str = ""
    current: bool = False  # aria-current: the page being shown


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)

    def control(self, kind: str, name: str) -> Control | None:
        for control in self.controls:
            if control.kind == kind and control.name == name:
                return control
        return None

    @property
    def buttons(self) -> list[Control]:
        return [c for c in self.controls if c.kind == "submit"]

    @property
    def questions(self) -> list[Control]:
        """The fields a pupil fills in (not hidden fields, not buttons)."""
        return [c for c in self.controls if c.kind not in ("hidden", "submit")]

    @property
    def is_question_page(self) -> bool:
        """A question page's form moves with `nav` buttons ("Nästa", "Tillbaka"); the start
        and language pages' forms do not."""
        return any(b.name == "nav" for b in self.buttons)

    def has_primary(self) -> bool:
        return any(_has_class(b.classes, PRIMARY_CLASSES) for b in self.buttons)

    def is_leave(self) -> bool:
        return bool(self.buttons) and all(
            _has_class(b.classes, LEAVE_CLASSES) for b in self.buttons
        )

    def primary_button(self) -> Control | None:
        buttons = self.buttons
        for button in buttons:
            if _has_class(button.classes, PRIMARY_CLASSES):
                return button
        return buttons[0] if buttons else None

    def hidden(self) -> dict[str, str]:
        return {c.name: c.value for c in self.controls if c.kind == "hidden"}


class PageParser(HTMLParser):
    """The forms, the links and the language of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[Link] = []
        self.language = ""
        # Fields the page marks as wrong (the id of their message: "err-<field name>").
        self.errors: set[str] = set()
        self._form: Form | None = None
        self._select: Control | None = None
        # Inside a fieldset whose legend says the question is required.
        self._fieldset_required = False

    @property
    def primary_links(self) -> list[str]:
        return [link.href for link in self.links if _has_class(link.classes, PRIMARY_CLASSES)]

    @property
    def language_links(self) -> list[Link]:
        """The start page's language links (`hreflang`), the page's own language left out."""
        return [link for link in self.links if link.hreflang and not link.current]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if a.get("id", "").startswith("err-"):
            self.errors.add(a["id"].removeprefix("err-"))
        if tag == "html":
            self.language = a.get("lang", "")
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "a" and "href" in a:
            self.links.append(
                Link(a["href"], a.get("class", ""), a.get("hreflang", ""), "aria-current" in a)
            )
        elif tag == "fieldset":
            self._fieldset_required = False
        elif tag == "span" and "required" in a.get("class", "").split():
            self._fieldset_required = True
        elif self._form is None:
            return
        elif tag == "input":
            self._input(self._form, a)
        elif tag == "button" and a.get("type", "submit") == "submit":
            self._form.controls.append(
                Control(
                    "submit",
                    a.get("name", ""),
                    value=a.get("value", ""),
                    classes=a.get("class", ""),
                )
            )
        elif tag == "select":
            self._select = Control("select", a.get("name", ""), required="required" in a)
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.choices.append(Choice(a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "fieldset":
            self._fieldset_required = False

    def _input(self, form: Form, a: dict[str, str]) -> None:
        kind = a.get("type", "text")
        name = a.get("name", "")
        if not name and kind != "submit":
            return
        required = self._fieldset_required or "required" in a
        if kind in ("radio", "checkbox"):
            group = form.control(kind, name)
            if group is None:
                group = Control(kind, name)
                form.controls.append(group)
            group.required = group.required or required
            group.choices.append(Choice(a.get("value", "on"), "checked" in a))
        elif kind == "hidden":
            form.controls.append(Control("hidden", name, value=a.get("value", "")))
        elif kind == "submit":
            form.controls.append(
                Control("submit", name, value=a.get("value", ""), classes=a.get("class", ""))
            )
        elif kind in ("text", "number", "tel", "search"):
            numeric = kind == "number" or a.get("inputmode") == "numeric"
            form.controls.append(
                Control("text", name, value=a.get("value", ""), numeric=numeric, required=required)
            )


def parse_page(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def main_form(forms: list[Form]) -> Form | None:
    """The form whose primary button moves the pupil on, or None (then the page's primary
    link does). Never the header's language switch nor "leave without submitting"."""
    primary = [f for f in forms if f.has_primary()]
    return max(primary, key=lambda f: len(f.controls)) if primary else None


def leave_form(forms: list[Form]) -> Form | None:
    return next((f for f in forms if f.is_leave()), None)


def fill_form(
    form: Form,
    rng: random.Random,
    *,
    code: str,
    skip_rate: float,
    errors: frozenset[str] = frozenset(),
    language: str = "",
) -> list[tuple[str, str]]:
    """The form data a pupil sends: hidden fields kept, every question answered or skipped.

    An optional question may be skipped, a required one never. A field the page marked as
    wrong (a missing required answer, or a choice the questionnaire does not allow, such
    as an exclusive option ticked with others) is answered anew with one plain choice;
    what the page kept checked for it is not sent again. A language choice goes to
    `language` when it is offered.
    """
    data: list[tuple[str, str]] = list(form.hidden().items())
    for control in form.controls:
        wrong = control.name in errors
        skip = not wrong and not control.required and rng.random() < skip_rate
        if control.kind == "text":
            if not control.numeric:
                data.append((control.name, code))  # the only free text: the code entry
            elif wrong:
                data.append((control.name, NUMBERS[0] if control.value != NUMBERS[0] else "1"))
            elif control.value:
                data.append((control.name, control.value))
            elif not skip:
                data.append((control.name, rng.choice(NUMBERS)))
        elif control.kind == "radio":
            values = [c.value for c in control.choices]
            kept = [c.value for c in control.choices if c.checked]
            if set(values) <= set(LANGUAGE_WEIGHTS) | {"fi", "so", "ti", "fa"}:
                if language in values:  # the pupil's own language, when it is offered
                    data.append((control.name, language))
                    continue
                weights = [LANGUAGE_WEIGHTS.get(v, 0.01) for v in values]
                data.append((control.name, rng.choices(values, weights)[0]))
            elif kept and not wrong:
                data.append((control.name, kept[0]))  # answers kept when going back
            elif values and not skip:
                data.append((control.name, rng.choice(values)))
        elif control.kind == "checkbox":
            kept = [c.value for c in control.choices if c.checked]
            if wrong and control.choices:
                data.append((control.name, control.choices[0].value))
            elif kept:
                data.extend((control.name, value) for value in kept)
            elif control.choices and (control.required or rng.random() >= skip_rate * 3):
                picks = rng.sample(control.choices, k=min(len(control.choices), rng.randint(1, 2)))
                data.extend((control.name, c.value) for c in picks)
        elif control.kind == "select":
            values = [c.value for c in control.choices if c.value]
            selected = [c.value for c in control.choices if c.checked and c.value]
            if selected and not wrong:
                data.append((control.name, selected[0]))
            elif values and not skip:
                data.append((control.name, rng.choice(values)))
    return data


@dataclass
class LoadConfig:
    base_url: str
    think: tuple[float, float] = (1.0, 4.0)  # seconds between pages, uniform
    skip_rate: float = 0.05
    back_rate: float = 0.05  # chance per page of going back once, then on
    leave_rate: float = 0.01  # chance per page of leaving without submitting (once), then
    # coming back with the code, as a pupil who closed the survey and resumes it later
    timeout: float = 10.0  # per request
    max_attempts: int = 8  # per request, the first included
    pupil_deadline: float = 600.0  # seconds a pupil keeps trying before giving up
    max_pages: int = 80  # a guard against a loop in the flow


@dataclass
class Outcome:
    """What one pupil saw and sent (the harness matches it to a stored sheet by `answers`)."""

    code: str
    class_label: str
    started: float = 0.0
    finished: float = 0.0
    thanked: bool = False
    language: str = ""
    left: int = 0  # times the pupil left without submitting (and came back)
    corrected: int = 0  # pages sent again because the page marked a field as wrong
    error: str = ""
    retries: int = 0
    # 503 answers to a POST that handed the posted fields back, and those that did not.
    outage_pages_kept: int = 0
    outage_pages_lost: int = 0
    # The question answers as last sent, by field (what the stored sheet must hold).
    answers: dict[str, list[str]] = field(default_factory=dict)
    # The last pages seen ("POST /sida/3/ 302"), for a report on pupils who gave up.
    trail: list[str] = field(default_factory=list)


@dataclass
class Stats:
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests
    answered_at: list[float] = field(default_factory=list)  # monotonic times of 2xx/3xx
    statuses: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    failed: int = 0  # 5xx or no answer (each attempt)

    def record(self, key: str, seconds: float | None, *, failed: bool) -> None:
        self.requests += 1
        self.statuses[key] += 1
        if seconds is not None:
            self.latencies.append(seconds)
            if not failed:
                self.answered_at.append(time.monotonic())
        if failed:
            self.failed += 1


def _as_form(data: list[tuple[str, str]] | None) -> dict[str, list[str]] | None:
    if data is None:
        return None
    form: dict[str, list[str]] = {}
    for name, value in data:
        form.setdefault(name, []).append(value)
    return form


def _seconds(retry_after: str) -> float:
    """A Retry-After header in seconds (the HTTP-date form is not used here): 0 if absent,
    capped at a minute so that a wrong header cannot stall a load run."""
    try:
        return min(60.0, max(0.0, float(retry_after)))
    except ValueError:
        return 0.0


class GaveUp(Exception):
    pass


class Pupil:
    def __init__(
        self, config: LoadConfig, stats: Stats, outcome: Outcome, rng: random.Random
    ) -> None:
        self.config = config
        self.stats = stats
        self.outcome = outcome
        self.rng = rng
        # The language the pupil reads best: picked on the start page and the language page.
        self.language = rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()))[0]

    async def run(self, transport: httpx.AsyncHTTPTransport | None = None) -> Outcome:
        self.outcome.started = time.monotonic()
        deadline = self.outcome.started + self.config.pupil_deadline
        client = httpx.AsyncClient(
            base_url=self.config.base_url,
            timeout=self.config.timeout,
            follow_redirects=False,
            transport=transport,
            trust_env=False,  # loopback only: no proxy from the environment
            headers={"User-Agent": "survey-day-harness", "Accept-Language": "sv"},
        )
        try:
            await self._walk(client, deadline)
        except GaveUp as error:
            self.outcome.error = str(error)
        finally:
            if transport is None:  # a shared transport is closed by its owner
                await client.aclose()
        self.outcome.finished = time.monotonic()
        return self.outcome

    async def _walk(self, client: httpx.AsyncClient, deadline: float) -> None:
        response = await self._request(client, "GET", "/", None, deadline)
        went_back = picked_language = False
        for _page in range(self.config.max_pages):
            here = str(response.url)
            if urlsplit(here).path.startswith(THANKS_PATH):
                self.outcome.thanked = True
                return
            page = parse_page(response.text)
            if page.language:
                self.outcome.language = page.language
            forms = [f for f in page.forms if f.method == "post"]
            await asyncio.sleep(self.rng.uniform(*self.config.think))
            if page.language_links and not picked_language:
                # The start page: a pupil may first switch it to their own language.
                picked_language = True
                links = page.language_links
                link = next((x for x in links if x.hreflang == self.language), None)
                if link is not None:
                    target = urljoin(here, link.href)
                    response = await self._request(client, "GET", target, None, deadline)
                    continue
            form = main_form(forms)
            leave = leave_form(forms)
            if (
                leave is not None
                and not self.outcome.left
                and self.rng.random() < self.config.leave_rate
            ):
                self.outcome.left += 1  # "Avsluta utan att skicka"; the code resumes later
                target = urljoin(here, leave.action or here)
                data = [*leave.hidden().items()]
                response = await self._request(client, "POST", target, data, deadline)
                continue
            if form is None:
                if not page.primary_links:
                    raise GaveUp(f"no form and no link on {response.url.path}")
                target = urljoin(here, page.primary_links[0])
                response = await self._request(client, "GET", target, None, deadline)
                continue
            errors = frozenset(page.errors)
            if errors and form.is_question_page:
                self.outcome.corrected += 1
            data = fill_form(
                form,
                self.rng,
                code=self.outcome.code,
                skip_rate=self.config.skip_rate,
                errors=errors,
                language=self.language,
            )
            if form.is_question_page:
                self._remember(form, data)
            button = form.primary_button()
            back = next((b for b in form.buttons if b.value == "back"), None)
            if back is not None and not went_back and self.rng.random() < self.config.back_rate:
                button, went_back = back, True
            if button is not None and button.name:
                data.append((button.name, button.value))
            target = urljoin(here, form.action or here)
            response = await self._request(client, "POST", target, data, deadline)
        raise GaveUp("too many pages: " + " → ".join(self.outcome.trail[-6:]))

    def _remember(self, form: Form, data: list[tuple[str, str]]) -> None:
        """The answers of a question page as sent: what the page's fields hold now."""
        sent = _as_form(data) or {}
        for control in form.questions:
            if control.name in sent:
                self.outcome.answers[control.name] = sent[control.name]
            else:
                self.outcome.answers.pop(control.name, None)

    async def _request(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        data: list[tuple[str, str]] | None,
        deadline: float,
    ) -> httpx.Response:
        """One page: the request, retried with the same data; redirects followed. Between
        attempts the client backs off exponentially, and at least as long as the server's
        Retry-After asks (as a pupil waits "a moment" on the try-again page)."""
        retry_after = 0.0
        for attempt in range(self.config.max_attempts):
            if attempt:
                self.outcome.retries += 1
                backoff = min(8.0, 0.5 * 2**attempt) * self.rng.uniform(0.5, 1.5)
                if retry_after:  # never sooner than asked, spread so retries do not bunch
                    backoff = max(backoff, retry_after * self.rng.uniform(1.0, 1.5))
                if time.monotonic() + backoff > deadline:
                    break
                await asyncio.sleep(backoff)
            started = time.monotonic()
            try:
                response = await client.request(method, url, data=_as_form(data))
            except httpx.TransportError as error:  # timeout, reset, refused
                self.stats.record(type(error).__name__, None, failed=True)
                continue
            elapsed = time.monotonic() - started
            self.outcome.trail = [
                *self.outcome.trail[-9:],
                f"{method} {urlsplit(url).path} {response.status_code}",
            ]
            failed = response.status_code >= 500
            self.stats.record(str(response.status_code), elapsed, failed=failed)
            if failed:
                retry_after = _seconds(response.headers.get("retry-after", ""))
                if response.status_code == 503 and method == "POST" and data is not None:
                    self._check_outage_page(response.text, data)
                continue
            if response.is_redirect:
                location = urljoin(str(response.url), response.headers["location"])
                return await self._request(client, "GET", location, None, deadline)
            if response.status_code >= 400:
                raise GaveUp(f"{response.status_code} on {urlsplit(url).path}")
            return response
        raise GaveUp(f"no answer for {method} {urlsplit(url).path}")

    def _check_outage_page(self, html: str, posted: list[tuple[str, str]]) -> None:
        """The "try again" page must hand the pupil's posted answers back in its form."""
        page = parse_page(html)
        kept = {
            (c.name, c.value)
            for form in page.forms
            for c in form.controls
            if c.kind in ("hidden", "submit")
        }
        # The CSRF token may be rotated in the page; the answers may not change.
        wanted = {(k, v) for k, v in posted if k != "csrfmiddlewaretoken"}
        if wanted <= kept:
            self.outcome.outage_pages_kept += 1
        else:
            self.outcome.outage_pages_lost += 1
