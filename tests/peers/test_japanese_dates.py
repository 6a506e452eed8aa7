import datetime

import pytest

from peers.fields import JapaneseDateField, parse_japanese_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23", datetime.date(2026, 11, 23)),
        ("2026/11/23", datetime.date(2026, 11, 23)),
        ("2026年11月23日", datetime.date(2026, 11, 23)),
        ("２０２６年１１月２３日", datetime.date(2026, 11, 23)),
        ("令和8年11月23日", datetime.date(2026, 11, 23)),
        ("令和元年5月1日", datetime.date(2019, 5, 1)),
        ("平成31年4月30日", datetime.date(2019, 4, 30)),
        ("昭和64年1月7日", datetime.date(1989, 1, 7)),
        ("R8.11.23", datetime.date(2026, 11, 23)),
        ("h31/4/30", datetime.date(2019, 4, 30)),
    ],
)
def test_dates_are_read_in_western_and_era_forms(text, expected):
    assert parse_japanese_date(text) == expected


@pytest.mark.parametrize("text", ["", "明日", "2026-02-30", "令和8年13月1日", "2026-11"])
def test_impossible_or_unreadable_dates_are_refused(text):
    assert parse_japanese_date(text) is None


def test_field_explains_the_forms_it_accepts():
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        day = JapaneseDateField()

    with translation.override("ja"):
        form = Form({"day": "そのうち"})
        assert not form.is_valid()
        assert "令和8年11月23日" in form.errors["day"][0]
    assert Form({"day": "令和8年11月23日"}).is_valid()
