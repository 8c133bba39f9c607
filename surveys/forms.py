"""Forms of the staff pages (the pupil's code entry is in pupil_forms)."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from .models import SchoolClass, Wave


class ClassChoiceField(forms.ModelChoiceField[SchoolClass]):
    def label_from_instance(self, obj: SchoolClass) -> str:
        return f"{obj.school.name} – {obj.name}"


class IssueCodesForm(forms.Form):
    """Codes for one class; the classes offered are those of the schools the user sees."""

    wave = forms.ModelChoiceField(queryset=Wave.objects.none(), label=_("Omgång"))
    school_class = ClassChoiceField(queryset=SchoolClass.objects.none(), label=_("Klass"))
    count = forms.IntegerField(
        label=_("Antal koder"),
        min_value=1,
        max_value=200,
        help_text=_(
            "En kod per elev. En klass får högst sitt antal elever och några koder i "
            "reserv. Koderna visas bara en gång, i PDF:en."
        ),
    )

    def __init__(
        self,
        *args: Any,
        waves: QuerySet[Wave],
        classes: QuerySet[SchoolClass],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wave"].queryset = waves  # type: ignore[attr-defined]
        self.fields["school_class"].queryset = classes  # type: ignore[attr-defined]
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.add_input(Submit("issue", _("Skapa koder och ladda ner PDF")))
