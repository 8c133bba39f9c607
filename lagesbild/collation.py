"""Swedish alphabetical order, in one place: Å, Ä and Ö come after Z (in that order).

Python's default order (code points) puts Ä (U+00C4) before Å (U+00C5), and a database's
collation depends on its locale; every list of names a reader scans (districts in menus,
tables, the report and the young people's page) is sorted with `swedish` instead.
"""

# The three characters after "z" in ASCII, in the Swedish order of the three letters.
_AFTER_Z = str.maketrans({"å": "{", "ä": "|", "æ": "|", "ö": "}", "ø": "}"})
_ACCENTS = str.maketrans({"é": "e", "è": "e", "ü": "y", "á": "a", "à": "a"})


def swedish(text: str) -> str:
    """The sort key of ``text``: sorted(["Ärla", "Öster", "Årby"], key=swedish) gives
    Årby, Ärla, Öster (code-point order would give Ärla, Årby, Öster)."""
    return text.casefold().translate(_ACCENTS).translate(_AFTER_Z)
