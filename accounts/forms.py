from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    """Six digits from the authenticator app, or one recovery code."""

    token = forms.CharField(
        label=_("Kod"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
        help_text=_("Sex siffror från din autentiseringsapp, eller en av dina reservkoder."),
    )

    def clean_token(self) -> str:
        # People type codes with spaces or dashes ("123 456"); devices expect them without.
        raw: str = self.cleaned_data["token"]
        return raw.replace(" ", "").replace("-", "").lower()


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("Kod från appen"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_token(self) -> str:
        raw: str = self.cleaned_data["token"]
        return raw.replace(" ", "")
