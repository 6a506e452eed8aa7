"""Proposed redactions on realistic Japanese minutes: every member's and non-member's name, phone
number and email proposed; no date, time, amount or word touched; whole tokens only."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collaboration.redaction import Person, Reason, apply_proposals, highlighted, propose_redactions
from peers.japanese import tokens

MINUTES = (Path(__file__).parent / "data" / "minutes_kyogi.txt").read_text("utf-8")
PEOPLE = [
    Person(names=("ピア 陽子", "ピア ヨウコ"), replacement="[ピア（当事者）]"),
    Person(names=("医師 一郎",), replacement="[医療]"),
    Person(names=("調整 さくら",), replacement="[行政]"),
]


def _found(text, people=PEOPLE):
    return [(p.original, p.reason) for p in propose_redactions(text, people)]


# --- The three failures found on main --------------------------------------------------------


def test_a_members_name_never_cuts_a_word():
    """Main turned ピアスタッフ into [ピア（当事者）]スタッフ because a member is called ピア 陽子."""
    text = "ピアスタッフの配置とピアサポーターの活動について、ピア 陽子さんが報告した。"
    assert _found(text) == [("ピア 陽子", Reason.MEMBER)]
    assert apply_proposals(text, propose_redactions(text, PEOPLE)) == (
        "ピアスタッフの配置とピアサポーターの活動について、[ピア（当事者）]さんが報告した。")


def test_dates_and_times_are_never_phone_numbers():
    """Main turned 2026-12-08 14:00 into [電話番号削除]:00."""
    text = "次回は2026-12-08 14:00から（2026/12/08）、令和8年12月8日 14時。予算1,200,000円、20261208、0:30。"
    assert propose_redactions(text, PEOPLE) == []


def test_a_non_members_name_is_proposed_with_the_honorific_kept_outside():
    """Main left 利用者の山田花子さん in the public text."""
    text = "利用者の山田花子さんから意見があった。"
    [proposal] = propose_redactions(text, PEOPLE)
    assert (proposal.original, proposal.reason) == ("山田花子", Reason.PERSON_NAME)
    assert apply_proposals(text, [proposal]) == "利用者の[氏名]さんから意見があった。"


# --- Realistic minutes --------------------------------------------------------------------


def test_realistic_minutes_propose_every_name_phone_and_email():
    assert _found(MINUTES) == [
        ("ピア 陽子", Reason.MEMBER), ("医師 一郎", Reason.MEMBER), ("調整 さくら", Reason.MEMBER),
        ("医師 一郎", Reason.MEMBER),
        ("山田花子", Reason.PERSON_NAME), ("佐藤次郎", Reason.PERSON_NAME), ("鈴木", Reason.PERSON_NAME),
        ("ピア陽子", Reason.MEMBER), ("陽子", Reason.MEMBER),
        ("03-1234-5678", Reason.PHONE), ("0312345679", Reason.PHONE), ("090-8765-4321", Reason.PHONE),
        ("+81-3-1234-5678", Reason.PHONE), ("chiiki-shien@city.example.jp", Reason.EMAIL),
        ("０４５－６７８－９０１２", Reason.PHONE), ("ｓｏｕｄａｎ＠ｅｘａｍｐｌｅ．ｊｐ", Reason.EMAIL),
    ]


def test_realistic_minutes_keep_every_date_time_amount_and_word():
    public = apply_proposals(MINUTES, propose_redactions(MINUTES, PEOPLE))
    for kept in ("令和8年度 第3回", "2026-12-08 14:00〜16:00（2026/12/08）", "2027年1月19日 10:30", "1,200,000円",
                 "医療と福祉の連携", "退院後の地域生活支援", "退院後の住まい", "ピアスタッフの配置は3事業所",
                 "ピアサポーターの活動時間は月120時間", "（内線 210）", "令和9年2月16日（火）13:30〜",
                 "山田病院 研修室", "地域包括ケアシステム", "委員にピアサポーター2名を加える"):
        assert kept in public, kept
    for gone in ("陽子", "一郎", "さくら", "山田花子", "佐藤", "鈴木", "5678", "4321", "9012", "@", "＠"):
        assert gone not in public, gone
    assert "利用者の[氏名]さん" in public and "[氏名]様（家族会）" in public and "[ピア（当事者）]さんが当事者" in public


def test_every_proposal_starts_and_ends_on_a_token_boundary():
    toks = tokens(MINUTES)
    starts, ends = {t.start for t in toks}, {t.end for t in toks}
    for p in propose_redactions(MINUTES, PEOPLE):
        assert p.start in starts and p.end in ends, p
        assert MINUTES[p.start:p.end] == p.original


def test_a_registered_surname_alone_needs_an_honorific():
    people = [Person(names=("山田 花子", "ヤマダ ハナコ"), replacement="[家族]")]
    text = "山田花子、山田 花子、山田さん、花子様、ヤマダさん。山田病院と山田町、山田が。"
    found = _found(text, people)
    assert found[:5] == [("山田花子", Reason.MEMBER), ("山田 花子", Reason.MEMBER), ("山田", Reason.MEMBER),
                         ("花子", Reason.MEMBER), ("ヤマダ", Reason.MEMBER)]
    # 山田病院 and 山田町 are places; a bare 山田 is still a person's name by analysis, never the member rule.
    assert found[5:] == [("山田", Reason.PERSON_NAME)]
    assert "山田病院と山田町" in apply_proposals(text, propose_redactions(text, people))


def test_names_written_in_full_width_or_with_an_ideographic_space_are_found():
    people = [Person(names=("ピア 陽子",), replacement="[ピア]")]
    assert _found("ピア\u3000陽子委員とﾋﾟｱ 陽子さん", people) == [("ピア\u3000陽子", Reason.MEMBER),
                                                               ("ﾋﾟｱ 陽子", Reason.MEMBER)]


@pytest.mark.parametrize("phone", [
    "03-1234-5678", "045-678-9012", "0466-12-3456", "090-1234-5678", "080-1234-5678", "070-1234-5678",
    "0120-123-456", "0312345678", "09012345678", "03(1234)5678", "(03)1234-5678", "+81-3-1234-5678",
    "+81 90 1234 5678", "+81(0)3-1234-5678", "０３－１２３４－５６７８", "090ー1234ー5678", "03−1234−5678",
])
def test_japanese_phone_numbers_are_proposed(phone):
    text = f"連絡先は{phone}まで。TEL:{phone}"
    assert _found(text, []) == [(phone, Reason.PHONE), (phone, Reason.PHONE)]


@pytest.mark.parametrize("not_a_phone", [
    "2026-12-08", "2026-12-08 14:00", "2026/12/08", "14:00〜16:00", "令和8年12月8日", "1,200,000円",
    "12345678901円", "〒100-0001", "第03-12回", "3.14159265", "ver 1.0.1234-5678", "00-1234-5678",
    "2026-0312-3456", "内線210", "2026年12月08日14時00分",
])
def test_dates_times_amounts_and_codes_are_not_phone_numbers(not_a_phone):
    assert _found(f"記録：{not_a_phone}。", []) == []


@settings(max_examples=200, deadline=None)
@given(st.dates(), st.times(), st.sampled_from(["-", "/", "．", "－"]), st.integers(0, 10**9))
def test_no_date_time_or_amount_is_ever_a_phone_number(day, time, sep, amount):
    text = (f"{day.year}{sep}{day.month:02d}{sep}{day.day:02d} {time.hour:02d}:{time.minute:02d}、"
            f"{day.isoformat()}T{time.isoformat(timespec='seconds')}、{amount:,}円、令和{day.year - 2018}年")
    assert [p for p in propose_redactions(text, []) if p.reason is Reason.PHONE] == []


def test_emails_stop_at_japanese_text():
    assert _found("連絡はinfo.kyogi@city.example.lg.jpまでお願いします", []) == [
        ("info.kyogi@city.example.lg.jp", Reason.EMAIL)]


def test_highlighted_pieces_rebuild_the_text():
    proposals = propose_redactions(MINUTES, PEOPLE)
    pieces = highlighted(MINUTES, proposals)
    assert "".join(piece for piece, _ in pieces) == MINUTES
    assert [p for _, p in pieces if p] == proposals


def test_apply_only_the_accepted_proposals():
    text = "山田花子さんと佐藤さん"
    proposals = propose_redactions(text, [])
    assert apply_proposals(text, proposals, accepted={proposals[1].key}) == "山田花子さんと[氏名]さん"
    assert apply_proposals(text, proposals, accepted=set()) == text
