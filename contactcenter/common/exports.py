"""CSV exports: every one is written through csv_response, which starts the file with a UTF-8 byte-order
mark (Excel then reads "Peña" and "0–5", not "PeÃ±a" and "0â€“5") and whose writer defuses spreadsheet
formulas.

A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return, which some strip
before reading the rest) as a formula, also after leading spaces: such a cell gets a leading
apostrophe, which spreadsheets show as text. Numbers stay numbers (a negative figure is not a
formula)."""

from __future__ import annotations

import csv
from decimal import Decimal

from django.http import HttpResponse

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip(" \n\x0b\x0c").startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


class SafeWriter:
    """csv.writer whose every cell goes through spreadsheet_safe."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row):
        return self._writer.writerow([spreadsheet_safe(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_response(filename: str) -> tuple[HttpResponse, SafeWriter]:
    """An attachment named `filename`, and the one writer its rows go through."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    return response, SafeWriter(response)
