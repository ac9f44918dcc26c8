"""Dates, money, durations and addresses as the IVR says them, in English or Spanish."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

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


def spoken_date(value: date, language: str) -> str:
    month = MONTHS["es" if language == "es" else "en"][value.month - 1]
    if language == "es":
        return f"{value.day} de {month} de {value.year}"
    return f"{month} {value.day}, {value.year}"


def spoken_month(value: date, language: str) -> str:
    month = MONTHS["es" if language == "es" else "en"][value.month - 1]
    return f"{month} de {value.year}" if language == "es" else f"{month} {value.year}"


def spoken_money(amount: Decimal, language: str) -> str:
    whole = int(amount)
    cents = int((amount - whole) * 100)
    text = f"{whole:,}"
    if language == "es":
        return f"{text} dólares" + (f" con {cents} centavos" if cents else "")
    return f"${text}" + (f".{cents:02d}" if cents else "")


def spoken_months(months: Decimal, language: str) -> str:
    value = f"{months.normalize():f}" if months != int(months) else str(int(months))
    if language == "es":
        value = value.replace(".", ",")
    if language == "es":
        return f"{value} {'mes' if months == 1 else 'meses'}"
    return f"{value} {'month' if months == 1 else 'months'}"


def spoken_minutes(seconds: int, language: str) -> str:
    minutes = max(1, round(seconds / 60))
    if language == "es":
        return f"{minutes} {'minuto' if minutes == 1 else 'minutos'}"
    return f"{minutes} {'minute' if minutes == 1 else 'minutes'}"


def spoken_digits(value: str) -> str:
    return " ".join(value)


def spoken_phone(value: str) -> str:
    """(213) 555-0145 → "2 1 3, 5 5 5, 0 1 4 5": grouped the way people read numbers back."""
    digits = "".join(ch for ch in value or "" if ch.isdigit())[-10:]
    if len(digits) != 10:
        return " ".join(digits)
    return ", ".join(" ".join(group) for group in (digits[:3], digits[3:6], digits[6:]))
