"""The minimal page: 40 radio questions, CSRF, one INSERT, redirect to a thank-you page."""

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
    return render(request, "minimal/survey.html", {"form": form})


@never_cache
def thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "minimal/thanks.html")
