"""The XLSForm subset: ``to_xlsform`` writes a workbook, ``from_xlsform`` reads one.

Conventions: ``docs/questionnaire-format.md``.
"""

from .reader import from_xlsform
from .writer import to_xlsform

__all__ = ["from_xlsform", "to_xlsform"]
