"""The exported XLSForm is a standard one: ODK's own converter (pyxform) reads it."""

import io
import re

import pytest
from pyxform.xls2xform import convert

from surveys.questionnaire import QuestionnaireError, load_yaml_file
from surveys.questionnaire.xlsform import from_xlsform, to_xlsform
from surveys.questionnaire.xlsform.reader import DISTRICT_COLUMN


@pytest.fixture(scope="module")
def exported() -> bytes:
    return to_xlsform(load_yaml_file())


def test_odk_converts_the_exported_questionnaire_without_warnings(exported: bytes) -> None:
    result = convert(xlsform=exported, file_type=".xlsx")
    assert result.warnings == []
    assert "<h:title>Enkät om ungas trygghet</h:title>" in result.xform
    # The home-district question is a plain single choice for ODK and Kobo tools.
    district = next(q for _page, q in load_yaml_file().items() if q.type == "district")
    assert re.search(rf'<select1 [^>]*ref="[^"]*/{district.code}"', result.xform)


def test_the_export_reads_back_as_the_same_questionnaire(exported: bytes) -> None:
    assert from_xlsform(exported) == load_yaml_file()


def _with_district_row(exported: bytes, type_: str, marker: str | None) -> bytes:
    """The export with the home-district row's type and marker column replaced."""
    from openpyxl import load_workbook  # type: ignore[import-untyped, unused-ignore]

    book = load_workbook(io.BytesIO(exported))
    sheet = book["survey"]
    header = [c.value for c in sheet[1]]
    column = header.index(DISTRICT_COLUMN)
    marked = next(row for row in sheet.iter_rows(min_row=2) if row[column].value)
    list_name = str(marked[header.index("type")].value).split()[1]
    marked[header.index("type")].value = f"{type_} {list_name}"
    marked[column].value = marker
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_district_marker_on_another_type_is_refused(exported: bytes) -> None:
    changed = _with_district_row(exported, "select_multiple", "district")
    with pytest.raises(QuestionnaireError, match=DISTRICT_COLUMN):
        from_xlsform(changed)


def test_a_file_of_an_earlier_version_with_its_own_district_type_still_reads(
    exported: bytes,
) -> None:
    changed = _with_district_row(exported, "select_one_district", None)
    assert from_xlsform(changed) == load_yaml_file()
