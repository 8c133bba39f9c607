"""The pupil's one form: the code entry. Every string here is pupil-facing and must be
translated into every language the pupil pages offer (a test checks)."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class CodeEntryForm(forms.Form):
    code = forms.CharField(
        label=_("Din kod"),
        max_length=20,
        help_text=_("Koden står på lappen du fick av din lärare, till exempel KX7P-M4RD-Q9ZT."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "class": "form-control-lg code-input",
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.add_input(Submit("start", _("Börja"), css_class="btn-lg w-100"))
