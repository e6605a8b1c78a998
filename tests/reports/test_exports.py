from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from supportdesk.reports.exports import neutralise, to_csv


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Acme = fine", "Acme = fine"),
        ("", ""),
        (None, ""),
        (-3, -3),  # a number, not text: stays a number
        (12.5, 12.5),
        (True, "yes"),
        (date(2026, 3, 8), "2026-03-08"),
        (datetime(2026, 3, 8, 1, 2, tzinfo=UTC), "2026-03-08T01:02:00+00:00"),
        (timedelta(minutes=90, seconds=30), 90.5),
    ],
)
def test_neutralise(value: object, cell: object) -> None:
    assert neutralise(value) == cell  # type: ignore[arg-type]


def test_csv_round_trip() -> None:
    text = to_csv(["Name", "=cmd"], [["=1+1", 3], ["-x", None]])
    assert text == "Name,'=cmd\r\n'=1+1,3\r\n'-x,\r\n"
    assert list(csv.reader(io.StringIO(text))) == [["Name", "'=cmd"], ["'=1+1", "3"], ["'-x", ""]]
