"""Synthetic answer sheets for demos, tests and benchmarks (pure Python, no ORM).

The model is simple but shaped like the real survey, so dashboards show something worth
looking at: each pupil has a latent vulnerability (which correlates their answers across
questions), districts differ (police *utsatta områden* are worse on safety and exposure),
girls feel less safe in the evening and boys meet more violence, older pupils meet more
drugs, and some pupils skip questions or answer "don't know". Codes follow
docs/codebook.md. The numbers are invented and must never be read as findings.
"""

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Extra risk (on the logit scale) of living or going to school in a district. Unlisted
# districts get 0.
DISTRICT_RISK: Mapping[str, float] = {
    "SKI": 1.0,
    "ARB": 1.1,
    "FRO": 0.9,
    "LAG": 0.6,
    "RAB": 0.3,
    "NYF": 0.3,
    "SLA": 0.2,
    "STE": 0.2,
    "OST": 0.1,
    "SOD": 0.0,
    "NOR": 0.0,
    "SKO": -0.1,
    "MES": -0.2,
    "GRE": -0.3,
    "VAL": -0.2,
    "ARS": -0.1,
    "DJU": -0.4,
    "TOR": -0.2,
    "HAL": -0.3,
    "SKT": -0.5,
    "ARL": -0.6,
    "KVI": -0.6,
}


@dataclass(frozen=True)
class SchoolSeat:
    """Where a synthetic pupil goes to school: what the class gives the sheet."""

    school_id: int
    school_district: str
    grade: int


@dataclass(frozen=True)
class SynthSheet:
    school_id: int
    school_district: str
    home_district: str | None  # a district code, or None with `home_answer` set
    home_answer: str  # "ANNAN", "EJSVAR" or "" (skipped, or a district was given)
    grade: int
    gender: str  # KON code, "" when skipped
    language: str
    day: int  # days after the wave opened
    answers: dict[str, str | list[str]]


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


class _Pupil:
    """One pupil's answers, drawn question by question from shared latent traits."""

    def __init__(
        self, rng: random.Random, *, risk: float, school_risk: float, gender: str, grade: int
    ) -> None:
        self.rng = rng
        self.risk = risk
        self.school_risk = school_risk
        self.vulnerable = rng.gauss(0.0, 1.0)
        self.worried = 0.6 * self.vulnerable + 0.8 * rng.gauss(0.0, 1.0)
        self.girl = gender == "1"
        self.boy = gender == "2"
        self.older = (grade - 7) / 5.0  # 0 in åk 7 … 1 in gy 3
        # Most pupils answer nearly everything; a few skip a lot.
        self.skip = 0.25 if rng.random() < 0.05 else 0.015

    def chance(self, base: float, *, area: float = 1.0, trait: float = 0.6, **extra: float) -> bool:
        logit = base + area + trait
        for value in extra.values():
            logit += value
        return self.rng.random() < _sigmoid(logit)

    def pick(self, yes: bool, yes_codes: Sequence[str], no_codes: Sequence[str]) -> str:
        # The first code of each list is the most common answer of that side.
        codes = yes_codes if yes else no_codes
        weights = [2.0**-i for i in range(len(codes))]
        return self.rng.choices(list(codes), weights)[0]

    def skipped(self) -> bool:
        return self.rng.random() < self.skip


def _answers(p: _Pupil) -> dict[str, str | list[str]]:
    rng = p.rng
    home = p.risk
    school = p.school_risk
    v = p.vulnerable
    w = p.worried
    a: dict[str, str | list[str]] = {}

    def put(code: str, value: str) -> None:
        if not p.skipped():
            a[code] = value

    # Safety (TRY): girls feel less safe in the evening; worry drives all of these.
    unsafe_evening = p.chance(-1.6, area=0.8 * home, trait=0.9 * w, girl=0.7 * p.girl)
    if rng.random() < 0.04:
        put("TRY01", "6")  # doesn't go out for other reasons (not valid)
    else:
        put("TRY01", p.pick(unsafe_evening, ["3", "4", "5"], ["2", "1"]))
    put(
        "TRY02",
        "5"
        if rng.random() < 0.05
        else p.pick(p.chance(-2.2, area=0.5 * school, trait=0.7 * w), ["3", "4"], ["1", "2"]),
    )
    unsafe_way = p.chance(-2.0, area=0.6 * school + 0.3 * home, trait=0.8 * w, girl=0.3 * p.girl)
    put("TRY03", p.pick(unsafe_way, ["3", "4"], ["2", "1"]))
    put("TRY04", p.pick(p.chance(-3.0, area=0.4 * school, trait=0.8 * w), ["2", "3", "4"], ["1"]))
    avoid = 0.9 * w + 0.3 * p.girl
    put("TRY05A", "1" if p.chance(-1.0, area=0.6 * home, trait=avoid) else "2")
    put("TRY05B", "1" if p.chance(-1.4, area=0.6 * home, trait=avoid) else "2")
    put("TRY05C", "1" if p.chance(-1.8, area=0.5 * home, trait=avoid) else "2")
    put("TRY06", p.pick(p.chance(-1.8, area=0.5 * home, trait=w), ["3", "4"], ["2", "1"]))
    if not p.skipped():
        places = [
            code
            for code, base, local in (
                ("1", -2.6, school),
                ("2", -1.6, home),
                ("3", -1.4, home),
                ("4", -1.5, home),
                ("5", -3.0, home),
                ("6", -3.2, home),
                ("7", -2.2, 0.0),
                ("8", -3.0, 0.0),
            )
            if p.chance(base, area=0.7 * local, trait=0.8 * w, girl=0.4 * p.girl)
        ]
        a["TRY07"] = places or ["9"]

    # Victimisation (UTS): boys meet more violence, girls more online harassment.
    for code, base, boy in (("UTS01", -1.4, 0.0), ("UTS02", -1.9, 0.2), ("UTS03", -2.0, 0.5)):
        put(code, p.pick(p.chance(base, area=0.4 * home, trait=0.8 * v, boy=boy * p.boy), *_times))
    put("UTS04", p.pick(p.chance(-3.3, area=0.6 * home, trait=0.9 * v, boy=0.4 * p.boy), *_times))
    put("UTS05", "1" if p.chance(-2.2, area=0.2 * school, trait=0.7 * v) else "2")
    put("UTS06", "1" if p.chance(-1.9, area=0.1 * home, trait=0.6 * v, girl=0.5 * p.girl) else "2")

    # Exposure (EXP): strongly tied to the area; drugs rise with age.
    put("EXP01", p.pick(p.chance(-1.5, area=1.4 * home, trait=0.3 * v), ["3", "4"], ["2", "1"]))
    put("EXP02", "1" if p.chance(-2.8, area=0.6 * home, trait=0.8 * v, age=1.5 * p.older) else "2")
    put("EXP03", p.pick(p.chance(-2.0, area=0.9 * home, trait=0.6 * v), ["2", "3"], ["1"]))
    put("EXP04", "1" if p.chance(-2.4, area=1.0 * home, trait=0.5 * v) else "2")
    put("EXP05", p.pick(p.chance(-1.8, area=1.5 * home, trait=0.3 * v), ["3", "4"], ["2", "1"]))
    put("EXP06", p.pick(p.chance(-3.6, area=0.9 * home, trait=1.0 * v), ["2", "3"], ["1"]))

    # Protective factors (SKY), mostly the other side of vulnerability.
    put("SKY01", "1" if p.chance(2.0, area=-0.2 * home, trait=-0.6 * v) else "2")
    put(
        "SKY02",
        p.pick(p.chance(1.5, area=-0.3 * home, trait=-0.6 * v), ["1", "2"], ["3", "4", "5"]),
    )
    put("SKY03", p.pick(p.chance(0.5, area=-0.5 * home, trait=-0.3 * v), ["3", "4", "5"], ["1"]))
    put("SKY04", p.pick(p.chance(-2.0, area=0.5 * home, trait=0.8 * v), ["2", "3", "4"], ["1"]))
    put("SKY05", p.pick(p.chance(1.2, area=-0.3 * school, trait=-0.5 * w), ["2", "1"], ["3", "4"]))

    # Trust (FOR).
    if rng.random() < 0.08:
        put("FOR01", "6")  # don't know (not valid)
    else:
        trust = p.chance(0.6, area=-0.6 * home, trait=-0.5 * v)
        put("FOR01", p.pick(trust, ["2", "1"], ["3", "4", "5"]))
    put("FOR02", p.pick(p.chance(-1.6, area=0.7 * home, trait=0.6 * v), ["3"], ["1", "2"]))
    put("FOR03", p.pick(p.chance(0.8, area=-0.3 * school, trait=-0.4 * w), ["2", "1"], ["3", "4"]))
    return a


_times = (["2", "3", "4"], ["1"])


def synth_sheet(
    rng: random.Random,
    *,
    seat: SchoolSeat,
    districts: Sequence[str],
    days: int,
    drift: float = 0.0,
) -> SynthSheet:
    """One synthetic sheet for a pupil in ``seat``. ``districts`` are the municipality's
    district codes (for the home district); ``drift`` shifts every risk (a later wave
    can be a little worse or better, so trends show)."""
    roll = rng.random()
    home_district: str | None
    if roll < 0.03:
        home_district, home_answer = None, "ANNAN"
    elif roll < 0.05:
        home_district, home_answer = None, "EJSVAR"
    elif roll < 0.06:
        home_district, home_answer = None, ""
    elif roll < 0.66 and seat.school_district in districts:
        home_district, home_answer = seat.school_district, ""
    else:
        home_district, home_answer = rng.choice(list(districts)), ""
    gender_roll = rng.random()
    gender = "1" if gender_roll < 0.48 else "2" if gender_roll < 0.95 else "3"
    if rng.random() < 0.01:
        gender = ""
    risk = DISTRICT_RISK.get(home_district or "", 0.2) + drift
    school_risk = DISTRICT_RISK.get(seat.school_district, 0.0) + drift
    pupil = _Pupil(rng, risk=risk, school_risk=school_risk, gender=gender, grade=seat.grade)
    answers = _answers(pupil)
    if gender:
        answers["KON"] = gender
    if home_district or home_answer:
        answers["HEMOMR"] = home_district or home_answer
    language = rng.choices(["sv", "en", "ar"], [0.85, 0.05, 0.10])[0]
    return SynthSheet(
        school_id=seat.school_id,
        school_district=seat.school_district,
        home_district=home_district,
        home_answer=home_answer,
        grade=seat.grade,
        gender=gender,
        language=language,
        day=rng.randrange(max(days, 1)),
        answers=answers,
    )
