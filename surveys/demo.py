"""Demo geography of Eskilstuna: the districts of docs/codebook.md and ten demo schools.

The schools are invented for demonstration and named as such; the districts are real
names without boundaries (polygons are imported by an administrator, never hand-drawn).
"""

from typing import Final

MUNICIPALITY: Final = ("0484", "Eskilstuna")

# (code, name, kind, police area, note)
DISTRICTS: Final[list[tuple[str, str, str, bool, str]]] = [
    ("SKI", "Skiftinge", "stadsdel", True, "Utsatt område (Polisen 2025)"),
    ("ARB", "Årby", "stadsdel", True, "Utsatt område (Polisen 2025)"),
    ("FRO", "Fröslunda", "stadsdel", True, "Utsatt område (Polisen 2025)"),
    ("LAG", "Lagersberg", "stadsdel", False, "Klassat som utsatt område 2015–2021"),
    ("RAB", "Råbergstorp", "stadsdel", False, ""),
    ("SKO", "Skogsängen", "stadsdel", False, ""),
    ("NYF", "Nyfors", "stadsdel", False, ""),
    ("SLA", "Slagsta", "stadsdel", False, ""),
    ("STE", "Stenby", "stadsdel", False, ""),
    ("MES", "Mesta", "stadsdel", False, ""),
    ("GRE", "Gredby", "stadsdel", False, ""),
    ("VAL", "Valhalla", "stadsdel", False, ""),
    ("ARS", "Ärsta", "stadsdel", False, ""),
    ("SOD", "Söder", "stadsdel", False, ""),
    ("OST", "Öster", "stadsdel", False, ""),
    ("NOR", "Norr", "stadsdel", False, ""),
    ("DJU", "Djursta", "stadsdel", False, ""),
    ("TOR", "Torshälla", "tatort", False, ""),
    ("HAL", "Hällbybrunn", "tatort", False, ""),
    ("SKT", "Skogstorp", "tatort", False, ""),
    ("ARL", "Ärla", "tatort", False, ""),
    ("KVI", "Kvicksund", "tatort", False, ""),
]

# (school name, district code, kind, [(class name, grade)])
SCHOOLS: Final[list[tuple[str, str, str, list[tuple[str, int]]]]] = [
    ("Demoskolan Skiftinge", "SKI", "kommunal", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Årby", "ARB", "kommunal", [("7A", 7), ("7B", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Fröslunda", "FRO", "kommunal", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Lagersberg", "LAG", "kommunal", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Råbergstorp", "RAB", "fristaende", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Skogsängen", "SKO", "kommunal", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Torshälla", "TOR", "kommunal", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Söder", "SOD", "fristaende", [("7A", 7), ("8A", 8), ("9A", 9)]),
    (
        "Demogymnasiet Nyfors",
        "NYF",
        "kommunal",
        [("NA1", 10), ("SA1", 10), ("NA2", 11), ("SA2", 11), ("NA3", 12), ("SA3", 12)],
    ),
    (
        "Demogymnasiet Öster",
        "OST",
        "fristaende",
        [("TE1", 10), ("EK1", 10), ("TE2", 11), ("EK2", 11), ("TE3", 12), ("EK3", 12)],
    ),
]


# A second kommun, so that several kommuner can be tried side by side after `make run`:
# real district names of Norrköping without boundaries or any police classification (the
# demo claims nothing about them), and four invented demo schools.
SECOND_MUNICIPALITY: Final = ("0581", "Norrköping")
SECOND_DISTRICTS: Final[list[tuple[str, str, str, bool, str]]] = [
    ("NAV", "Navestad", "stadsdel", False, ""),
    ("HAG", "Hageby", "stadsdel", False, ""),
    ("KLO", "Klockaretorpet", "stadsdel", False, ""),
    ("LJU", "Ljura", "stadsdel", False, ""),
    ("MAR", "Marielund", "stadsdel", False, ""),
    ("VIL", "Vilbergen", "stadsdel", False, ""),
    ("SMD", "Smedby", "stadsdel", False, ""),
    ("ENE", "Eneby", "stadsdel", False, ""),
    ("ABY", "Åby", "tatort", False, ""),
    ("KRO", "Krokek", "tatort", False, ""),
]
SECOND_SCHOOLS: Final[list[tuple[str, str, str, list[tuple[str, int]]]]] = [
    ("Demoskolan Navestad", "NAV", "kommunal", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Hageby", "HAG", "kommunal", [("7A", 7), ("8A", 8), ("9A", 9)]),
    ("Demoskolan Åby", "ABY", "fristaende", [("7A", 7), ("8A", 8), ("9A", 9)]),
    (
        "Demogymnasiet Norrköping",
        "MAR",
        "kommunal",
        [("NA1", 10), ("SA1", 10), ("NA2", 11), ("SA2", 11)],
    ),
]
