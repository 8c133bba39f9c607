"""Forms of the dashboards: the district boundary import (of the page's kommun)."""

from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .geojson import MAX_BYTES


class GeoJSONImportForm(forms.Form):
    file = forms.FileField(
        label=_("GeoJSON-fil"),
        help_text=_(
            "En FeatureCollection i WGS 84 (longitud, latitud) med ett Polygon- eller "
            "MultiPolygon-objekt per område, från kommunen (stadsdelar) eller SCB (RegSO)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".geojson,.json,application/geo+json"}),
    )
    code_property = forms.CharField(
        label=_("Egenskap med områdets kod"),
        initial="code",
        max_length=64,
        help_text=_(
            "Namnet på egenskapen (property) som innehåller områdets kod, samma kod som "
            "under Områden."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "post"
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.add_input(Submit("import", _("Importera")))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Filen är större än %(mb)s MB.") % {"mb": MAX_BYTES // 2**20}
            )
        return upload
