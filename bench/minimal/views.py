"""The minimal page: 40 radio questions, CSRF, one INSERT, redirect to a thank-you page.

A form posted with an invalid value is answered 400 with the empty page (a bench page: no
error display needed).
"""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from .models import MinimalSheet
from .schema import QUESTIONS

OPTIONS = [(str(n), str(n)) for n in range(1, 6)]


class SheetForm(forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for number in range(1, QUESTIONS + 1):
            self.fields[f"q{number:02d}"] = forms.TypedChoiceField(
                choices=OPTIONS, coerce=int, required=False, widget=forms.RadioSelect
            )


@never_cache
def survey(request: HttpRequest) -> HttpResponse:
    form = SheetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        MinimalSheet.objects.create(**{k: v or None for k, v in form.cleaned_data.items()})
        return redirect("thanks")
    # The inputs are written out by the template's own loop, as the pupil pages' are (a
    # widget template per radio button would cost several times the whole page).
    context = {"questions": list(form.fields), "options": [value for value, _label in OPTIONS]}
    return render(request, "minimal/survey.html", context, status=400 if form.errors else 200)


@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "minimal/thanks.html")
