"""Dates, money, durations and addresses as the IVR says them, in English or Spanish."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from .spoken import Mark, Spoken, concat, join

MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "es": [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
}


def as_heard(interpret_as: str, format: str, content: str, language: str) -> str:
    """What the voice says for a mark: letters and digits one by one, a date in words."""
    if interpret_as in ("characters", "digits"):
        return " ".join(ch for ch in content if not ch.isspace())
    if interpret_as == "date":
        if format == "mdy":
            month, day, year = (int(part) for part in content.split("-"))
        else:
            day, month, year = (int(part) for part in content.split("-"))
        return _date_words(date(year, month, day), language)
    if interpret_as == "cardinal":
        number = int(content)
        return f"{number:,}" if language != "es" else f"{number:,}".replace(",", ".")
    return content


def heard(sentence: Spoken, language: str) -> str:
    """A sentence as the caller hears it (its marks spoken out): the words of a text message too."""
    return "".join(
        part if isinstance(part, str) else as_heard(part.kind, part.format, part.value, language) for part in sentence
    )


def _date_words(value: date, language: str) -> str:
    month = MONTHS["es" if language == "es" else "en"][value.month - 1]
    if language == "es":
        return f"{value.day} de {month} de {value.year}"
    return f"{month} {value.day}, {value.year}"


def spoken_date(value: date, language: str) -> Spoken:
    if language == "es":
        return (Mark("date", f"{value:%d-%m-%Y}", "dmy"),)
    return (Mark("date", f"{value:%m-%d-%Y}", "mdy"),)


def spoken_month(value: date, language: str) -> str:
    month = MONTHS["es" if language == "es" else "en"][value.month - 1]
    return f"{month} de {value.year}" if language == "es" else f"{month} {value.year}"


def spoken_money(amount: Decimal, language: str) -> Spoken:
    """ "1,225 dollars", the number as a cardinal: a Spanish voice reads "1,225" as one point two two five."""
    whole = int(amount)
    cents = int((amount - whole) * 100)
    number = Mark("cardinal", str(whole))
    if language == "es":
        return concat(
            number,
            f" {'dólar' if whole == 1 else 'dólares'}",
            (" con ", Mark("cardinal", str(cents)), " centavos") if cents else "",
        )
    return concat(
        number,
        f" {'dollar' if whole == 1 else 'dollars'}",
        (" and ", Mark("cardinal", str(cents)), " cents") if cents else "",
    )


FRACTIONS = {
    "en": {Decimal("0.25"): "a quarter", Decimal("0.5"): "a half", Decimal("0.75"): "three quarters"},
    "es": {Decimal("0.25"): "un cuarto", Decimal("0.5"): "medio", Decimal("0.75"): "tres cuartos"},
}


def spoken_months(months: Decimal, language: str) -> str:
    """ "five and a half months", "cinco meses y medio"; other fractions to the nearest tenth."""
    es = language == "es"
    whole = int(months)
    part = months - whole
    unit = ("mes" if months == 1 else "meses") if es else ("month" if months == 1 else "months")
    if not part:
        return f"{whole} {unit}"
    fraction = FRACTIONS["es" if es else "en"].get(part.normalize())
    if fraction is None:
        value = f"{round(months, 1).normalize():f}"
        return f"{value.replace('.', ',') if es else value} {unit}"
    if whole == 0:
        return f"{'medio mes' if fraction == 'medio' else fraction + ' de mes'}" if es else f"{fraction} month"
    return f"{whole} {unit} y {fraction}" if es else f"{whole} and {fraction} {unit}"


def spoken_minutes(seconds: int, language: str) -> str:
    minutes = max(1, round(seconds / 60))
    if language == "es":
        return f"{minutes} {'minuto' if minutes == 1 else 'minutos'}"
    return f"{minutes} {'minute' if minutes == 1 else 'minutes'}"


def spoken_phone(value: str) -> Spoken:
    """(213) 555-0145 → "2 1 3, 5 5 5, 0 1 4 5": grouped the way people read numbers back."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())[-10:]
    if len(digits) != 10:
        return (Mark("digits", digits),)
    return join(", ", (Mark("digits", group) for group in (digits[:3], digits[3:6], digits[6:])))


def spoken_receipt(receipt: str) -> Spoken:
    """EAC2190000001 → "E A C, 2 1 9, 0 0 0, 0 0 0 1": the letters spelled, the digits in three groups."""
    letters, digits = receipt[:3], receipt[3:]
    groups = [digits[:3], digits[3:6], digits[6:]] if len(digits) == 10 else [digits]
    return join(", ", [Mark("characters", letters), *(Mark("digits", group) for group in groups if group)])


STREET_WORDS = {
    "St": "Street", "Ave": "Avenue", "Blvd": "Boulevard", "Rd": "Road", "Dr": "Drive", "Ln": "Lane",
    "Ct": "Court", "Pl": "Place", "Pkwy": "Parkway", "Hwy": "Highway", "Ste": "Suite", "Fl": "Floor",
    "Sq": "Square", "Ter": "Terrace", "Cir": "Circle", "Plz": "Plaza", "Expy": "Expressway", "Fwy": "Freeway",
    "N": "North", "S": "South", "E": "East", "W": "West", "NE": "Northeast", "NW": "Northwest",
    "SE": "Southeast", "SW": "Southwest", "Rm": "Room", "Bldg": "Building", "Apt": "Apartment",
}  # fmt: skip
STATES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California", "CO": "Colorado",
    "CT": "Connecticut", "DE": "Delaware", "DC": "the District of Columbia", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa", "KS": "Kansas",
    "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan",
    "MN": "Minnesota", "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee", "TX": "Texas",
    "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington", "WV": "West Virginia",
    "WI": "Wisconsin", "WY": "Wyoming", "PR": "Puerto Rico", "GU": "Guam", "VI": "the U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "the Northern Mariana Islands",
}  # fmt: skip


def spoken_address(line: str, city: str, state: str) -> str:
    """ "300 N Los Angeles St", "Los Angeles", "CA" → "300 North Los Angeles Street, Los Angeles, California".
    The ZIP code is left out: the caller gave it, and digits read aloud are hard to follow."""
    tokens = line.replace(".", "").split()
    street = " ".join(
        STREET_WORDS.get(token, token) if index or not token[:1].isdigit() else token
        for index, token in enumerate(tokens)
    )
    return f"{street}, {city}, {STATES.get(state.upper(), state)}"


def spoken_clock(value: time, language: str) -> str:
    """A time of day as said on the phone, the same in both languages: "9 a.m.", "5:30 p.m."."""
    hour = value.hour % 12 or 12
    suffix = "a.m." if value.hour < 12 else "p.m."
    return f"{hour}:{value.minute:02d} {suffix}" if value.minute else f"{hour} {suffix}"
