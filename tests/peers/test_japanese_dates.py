"""One date parser (peers.dates) for forms, imports and request values: Western and era dates,
full-width digits, and impossible days refused with the reason in Japanese and English."""

import csv
import datetime
import io

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from peers.dates import fiscal_year_text, parse_date
from peers.errors import both_languages
from peers.fields import FiscalYearInput, JapaneseDateField
from peers.imports import PEOPLE_COLUMNS, import_file
from peers.models import Engagement
from peers.request_params import BadParameter, read_date

D = datetime.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-04-01", D(2025, 4, 1)),
        ("2025/4/1", D(2025, 4, 1)),
        ("2025.4.1", D(2025, 4, 1)),
        ("2025年4月1日", D(2025, 4, 1)),
        (" 2025 年 4 月 1 日 ", D(2025, 4, 1)),
        ("２０２５年４月１日", D(2025, 4, 1)),
        ("２０２５／４／１", D(2025, 4, 1)),
        # Dashes a Japanese keyboard gives: ー (an IME in kana mode), −, －, ‐, –, —, ―, ｰ, ﹣.
        ("2025ー04ー01", D(2025, 4, 1)),
        ("２０２５ー０４ー０１", D(2025, 4, 1)),
        ("２０２５−０４−０１", D(2025, 4, 1)),
        ("２０２５－０４－０１", D(2025, 4, 1)),
        ("2025‐04‐01", D(2025, 4, 1)),
        ("2025‑04‑01", D(2025, 4, 1)),
        ("2025–04–01", D(2025, 4, 1)),
        ("2025—04—01", D(2025, 4, 1)),
        ("2025―04―01", D(2025, 4, 1)),
        ("2025ｰ4ｰ1", D(2025, 4, 1)),
        ("2025﹣4﹣1", D(2025, 4, 1)),
        ("2025 ー 4 ー 1", D(2025, 4, 1)),
        ("R7ー4ー1", D(2025, 4, 1)),
        ("令和7−4−1", D(2025, 4, 1)),
        ("令和7年4月1日", D(2025, 4, 1)),
        ("令和 7 年 4 月 1 日", D(2025, 4, 1)),
        ("令和７年４月１日", D(2025, 4, 1)),
        ("令和元年5月1日", D(2019, 5, 1)),
        ("令和1年5月1日", D(2019, 5, 1)),
        ("㋿7年4月1日", D(2025, 4, 1)),
        ("R7.4.1", D(2025, 4, 1)),
        ("R07.04.01", D(2025, 4, 1)),
        ("r7/4/1", D(2025, 4, 1)),
        ("Ｒ７．４．１", D(2025, 4, 1)),
        ("Reiwa 7.4.1", D(2025, 4, 1)),
        ("平成31年4月30日", D(2019, 4, 30)),
        ("H31.4.30", D(2019, 4, 30)),
        ("平成元年1月8日", D(1989, 1, 8)),
        ("昭和64年1月7日", D(1989, 1, 7)),
        ("2024-02-29", D(2024, 2, 29)),
        # Each era's first and last day, 元年 included.
        ("明治元年10月23日", D(1868, 10, 23)),
        ("明治45年7月29日", D(1912, 7, 29)),
        ("大正元年7月30日", D(1912, 7, 30)),
        ("大正15年12月24日", D(1926, 12, 24)),
        ("昭和元年12月25日", D(1926, 12, 25)),
        ("S64.1.7", D(1989, 1, 7)),
        ("㍻31年4月30日", D(2019, 4, 30)),
        ("\u20282025-04-01", D(2025, 4, 1)),
    ],
)
def test_dates_are_read_in_western_and_era_forms(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "invalid_date"),
        ("明日", "invalid_date"),
        ("2026-11", "invalid_date"),
        ("令和7年", "invalid_date"),
        ("令和0年4月1日", "no_year_zero"),
        ("R0.4.1", "no_year_zero"),
        ("平成00年1月8日", "no_year_zero"),
        ("X7.4.1", "invalid_date"),
        ("2025-04-01 extra", "invalid_date"),
        ("٢٠٢٥-٠٤-٠١", "invalid_date"),  # Arabic-Indic digits are not a date people type here
        ("1" * 1000, "invalid_date"),
        ("2025-04-01\x00", "control_characters"),
        ("\x00", "control_characters"),
        ("令和7年4月1日\x1b", "control_characters"),
        ("2026-02-30", "not_a_day"),
        ("2025-02-29", "not_a_day"),
        ("令和8年13月1日", "not_a_day"),
        ("令和7年4月31日", "not_a_day"),
        ("令和1年4月30日", "outside_era"),
        ("令和元年4月30日", "outside_era"),
        ("平成31年5月1日", "outside_era"),
        ("平成32年1月1日", "outside_era"),
        ("昭和64年1月8日", "outside_era"),
        ("平成元年1月7日", "outside_era"),
        ("明治元年10月22日", "outside_era"),
        ("明治45年7月30日", "outside_era"),
        ("大正元年7月29日", "outside_era"),
        ("大正15年12月25日", "outside_era"),
        ("昭和元年12月24日", "outside_era"),
        ("M99.1.1", "outside_era"),
        ("0000-01-01", "not_a_day"),
        ("\ufeff2025-04-01", "invalid_date"),  # a byte-order mark or zero-width space is not a date
        ("2025-04-01\u200b", "invalid_date"),
        ("2025-4-1\ud800", "control_characters"),
        ("令和7年4月1日(火)", "invalid_date"),
        (12345, "invalid_date"),
    ],
)
def test_unreadable_or_impossible_dates_are_refused_with_a_reason(text, code):
    with pytest.raises(ValidationError) as refused:
        parse_date(text)
    assert refused.value.code == code
    messages = both_languages(refused.value)
    assert messages["ja"] and messages["en"] and messages["ja"] != messages["en"]


def test_a_day_before_reiwa_began_names_the_day_meant_in_both_languages():
    with pytest.raises(ValidationError) as refused:
        parse_date("令和1年4月30日")
    messages = both_languages(refused.value)
    assert "令和" in messages["ja"] and "令和元年5月1日" in messages["ja"] and "平成31年4月30日" in messages["ja"]
    assert "Reiwa" in messages["en"] and "2019-05-01" in messages["en"] and "2019-04-30" in messages["en"]


def test_a_day_after_heisei_ended_names_the_day_meant_in_both_languages():
    with pytest.raises(ValidationError) as refused:
        parse_date("平成31年5月1日")
    messages = both_languages(refused.value)
    assert "平成31年4月30日" in messages["ja"] and "令和元年5月1日" in messages["ja"]
    assert "Heisei" in messages["en"] and "2019-04-30" in messages["en"] and "2019-05-01" in messages["en"]


def test_request_values_use_the_same_parser():
    assert read_date({"since": "2025-04-01"}, "since") == D(2025, 4, 1)
    assert read_date({"since": "令和7年4月1日"}, "since") == D(2025, 4, 1)
    for bad in ("平成31年5月1日", "2025-04-01\x00", "2026-02-30"):
        with pytest.raises(BadParameter) as refused:
            read_date({"since": bad}, "since")
        assert refused.value.name == "since"
    assert read_date({"since": "平成31年5月1日"}, "since", default=D(2020, 1, 1), lenient=True) == D(2020, 1, 1)


class _DayForm(forms.Form):
    day = JapaneseDateField()


def test_a_date_field_reads_era_dates_and_says_so_in_its_help():
    form = _DayForm({"day": "R7.4.1"})
    assert form.is_valid() and form.cleaned_data["day"] == D(2025, 4, 1)
    with translation.override("ja"):
        assert "令和8年11月23日" in str(_DayForm().fields["day"].help_text)
        assert "和暦" in str(_DayForm().fields["day"].help_text)
        form = _DayForm({"day": "そのうち"})
        assert not form.is_valid()
        assert "令和8年4月1日" in form.errors["day"][0]
    with translation.override("en"):
        assert "Japanese era" in str(_DayForm().fields["day"].help_text)
        form = _DayForm({"day": "平成31年5月1日"})
        assert not form.is_valid()
        assert "Heisei ended on 2019-04-30" in form.errors["day"][0]


def test_a_date_field_reads_dates_typed_with_long_vowel_marks_or_minus_signs():
    for typed in ("2025ー04ー01", "２０２５−０４−０１", "R7ー4ー1"):
        form = _DayForm({"day": typed})
        assert form.is_valid(), (typed, form.errors)
        assert form.cleaned_data["day"] == D(2025, 4, 1)
    assert not _DayForm({"day": "2025ーー04"}).is_valid()


def test_request_values_read_dashes_too():
    assert read_date({"from": "2025ー04ー01"}, "from") == D(2025, 4, 1)


def test_a_year_is_shown_with_its_era():
    with translation.override("ja"):
        assert fiscal_year_text(2025) == "2025年度（令和7年度）"
        assert fiscal_year_text(2019) == "2025年度（令和7年度）".replace("2025", "2019").replace("7", "元")
        assert fiscal_year_text(2018) == "2018年度（平成30年度）"
        html = FiscalYearInput().render("year", 2025, {"id": "id_year"})
        assert "2025年度（令和7年度）" in html and 'data-fiscal-year' in html
    with translation.override("en"):
        assert fiscal_year_text(2025) == "FY2025 (Reiwa 7)"


# --- Imports: the same dates in every file format -----------------------------------------------


def _people_rows(start, org):
    return [
        PEOPLE_COLUMNS,
        ["era@example.jp", "令和 花子", "", "peer", org.name, "13", "employed", "ピアスタッフ",
         "listening", start, "", "", "", 20, 40, ""],
    ]


def _upload(rows, fmt):
    if fmt == "xlsx":
        workbook = Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return SimpleUploadedFile("people.xlsx", buffer.getvalue())
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("people.csv", buffer.getvalue().encode(fmt), content_type="text/csv")


FORMATS = ["utf-8", "utf-8-sig", "cp932", "xlsx"]


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("start", ["令和7年4月1日", "R07.04.01", "２０２５／４／１", "2025ー04ー01", "２０２５－０４－０１"])
def test_an_import_reads_era_dates_in_every_file_format(fmt, start, org, org_manager):
    result = import_file(actor=org_manager, shape="people", upload=_upload(_people_rows(start, org), fmt), apply=True)
    assert result["applied"], result["rows"]
    assert Engagement.objects.get(person__email="era@example.jp").start_date == D(2025, 4, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_import_refuses_a_day_outside_its_era_with_the_reason(fmt, org, org_manager):
    result = import_file(actor=org_manager, shape="people", upload=_upload(_people_rows("平成31年5月1日", org), fmt),
                         apply=True)
    assert not result["applied"]
    [error] = result["rows"][0]["errors"]
    assert error["column"] == "start_date"
    assert "令和元年5月1日" in error["ja"] and "Heisei" in error["en"]
    assert not Engagement.objects.filter(person__email="era@example.jp").exists()


def test_year_0_of_an_era_is_refused_with_the_reason_in_both_languages():
    """令和0年 does not exist: an era begins with 元年 (year 1). The message says so, rather than
    the generic "write the date as…", in Japanese and English."""
    with pytest.raises(ValidationError) as refused:
        parse_date("令和0年4月1日")
    messages = both_languages(refused.value)
    assert "0年" in messages["ja"] and "元年" in messages["ja"] and "令和元年5月1日" in messages["ja"]
    assert "no year 0" in messages["en"]


def test_heisei_31_april_30_is_the_last_heisei_day_and_heisei_32_is_refused():
    assert parse_date("平成31年4月30日") == D(2019, 4, 30)
    assert parse_date("H31.4.30") == D(2019, 4, 30)
    with pytest.raises(ValidationError) as refused:
        parse_date("平成32年1月1日")
    assert refused.value.code == "outside_era"
    messages = both_languages(refused.value)
    assert "令和2年1月1日" in messages["ja"] and "2020-01-01" in messages["en"]


# --- Every date field of every form reads era dates --------------------------------------------


def _our_forms():
    import importlib
    import pkgutil

    for app in ("peers", "training", "collaboration", "cms"):
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".tests" not in module.name:
                importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return {
        cls for cls in subclasses(forms.BaseForm)
        if cls.__module__.split(".")[0] in {"peers", "training", "collaboration", "cms"}
    }


def _date_fields():
    found = []
    for cls in _our_forms():
        for name, field in getattr(cls, "base_fields", {}).items():
            if isinstance(field, forms.DateField):
                found.append((f"{cls.__module__}.{cls.__qualname__}.{name}", field))
    return sorted(found, key=lambda pair: pair[0])


def test_every_date_field_in_every_form_reads_era_dates_and_refuses_impossible_ones():
    """Not only the fields written as JapaneseDateField: every DateField a form of ours has,
    ModelForm fields included (a plain forms.DateField refuses 令和7年4月1日)."""
    fields = _date_fields()
    names = [name for name, _field in fields]
    # The check sees the forms it is about: the leave, engagement, activity and action-item forms.
    for expected in ("LeaveForm.start_date", "EngagementForm.start_date", "EntryForm.date", "ActionItemForm.due_on",
                     "VolunteerHoursForm.date", "CERecordForm.date", "PaymentPaidForm.paid_on"):
        assert any(name.endswith(expected) for name in names), expected
    slips = []
    for name, field in fields:
        for typed, day in (("令和7年4月1日", D(2025, 4, 1)), ("R7.4.1", D(2025, 4, 1)), ("令和元年5月1日", D(2019, 5, 1)),
                           ("平成31年4月30日", D(2019, 4, 30)), ("２０２５ー０４ー０１", D(2025, 4, 1))):
            try:
                if field.clean(typed) != day:
                    slips.append(f"{name}: {typed} read as {field.clean(typed)}")
            except ValidationError as error:
                slips.append(f"{name}: refused {typed}: {error.messages}")
        for impossible, code in (("令和0年4月1日", "no_year_zero"), ("平成31年5月1日", "outside_era")):
            try:
                field.clean(impossible)
                slips.append(f"{name}: accepted {impossible}")
            except ValidationError as error:
                if error.code != code:
                    slips.append(f"{name}: {impossible} refused as {error.code}, not {code}")
    assert slips == [], "\n".join(slips)


@pytest.mark.django_db
def test_a_real_form_reads_an_era_date_and_says_why_year_0_is_refused_in_both_languages():
    from peers.employment_forms import LeaveForm

    kinds = [value for value, _label in LeaveForm().fields["kind"].choices if value]
    form = LeaveForm({"kind": kinds[0], "start_date": "令和7年4月1日", "expected_return": "R7.6.1"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["start_date"], form.cleaned_data["expected_return"]) == (D(2025, 4, 1), D(2025, 6, 1))
    with translation.override("ja"):
        form = LeaveForm({"kind": kinds[0], "start_date": "令和0年4月1日"})
        assert not form.is_valid() and "元年" in form.errors["start_date"][0]
    with translation.override("en"):
        form = LeaveForm({"kind": kinds[0], "start_date": "令和0年4月1日"})
        assert not form.is_valid() and "no year 0" in form.errors["start_date"][0]
    # A form drawn as the browser's date picker gives no typing help (the picker sends 2025-04-01).
    assert not LeaveForm().fields["start_date"].help_text


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", FORMATS)
def test_an_import_refuses_year_0_of_an_era_with_the_reason(fmt, org, org_manager):
    result = import_file(actor=org_manager, shape="people", upload=_upload(_people_rows("令和0年4月1日", org), fmt),
                         apply=True)
    assert not result["applied"]
    [error] = result["rows"][0]["errors"]
    assert error["column"] == "start_date"
    assert "元年" in error["ja"] and "no year 0" in error["en"]
