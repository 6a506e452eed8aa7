"""peers.japanese: morphemes with offsets into the original text, readings, person names, and
NFKC normalisation that remembers where each character came from."""

from __future__ import annotations

import threading
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from peers import japanese
from peers.japanese import normalise, normalise_with_offsets, to_hiragana, tokens

MINUTES = (Path(__file__).parent.parent / "collaboration" / "data" / "minutes_kyogi.txt").read_text("utf-8")


def _covers(text: str) -> None:
    toks = tokens(text)
    cursor = 0
    for token in toks:
        assert text[token.start:token.end] == token.surface
        assert token.start >= cursor
        assert text[cursor:token.start].strip(" \t\n\r\x00") == ""  # only whitespace between tokens
        cursor = token.end
    assert text[cursor:].strip(" \t\n\r\x00") == ""


def test_offsets_reconstruct_the_original_text():
    _covers(MINUTES)
    _covers("  前後に空白 \n\n\t改行\r\nと\x00NUL、全角\u3000空白、ｶﾞｷﾞ半角、絵文字😀も。")
    assert [t.surface for t in tokens("利用者の山田花子さん")] == ["利用", "者", "の", "山田", "花子", "さん"]


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("山田花子さんピアスタッフ医療と福祉 \u3000\n\t0123456789-:ｱｲｳﾞ１２ab@.\x00")),
               max_size=60))
def test_offsets_hold_for_any_text(text):
    _covers(text)


def test_person_names_are_tagged_with_surname_and_given_name():
    by_surface = {t.surface: t for t in tokens("利用者の山田花子さんとピアスタッフの佐藤さん")}
    assert by_surface["山田"].is_person_name and by_surface["山田"].is_surname
    assert by_surface["花子"].is_person_name and by_surface["花子"].is_given_name
    assert by_surface["佐藤"].is_surname
    assert not by_surface["ピア"].is_person_name and not by_surface["スタッフ"].is_person_name
    assert by_surface["山田"].pos == ("名詞", "固有名詞", "人名", "姓")


def test_reading_is_hiragana_and_lemma_drops_the_loanword_gloss():
    by_surface = {t.surface: t for t in tokens("退院後のピアスタッフ")}
    assert by_surface["退院"].reading == "たいいん"
    assert by_surface["スタッフ"].lemma == "スタッフ"  # UniDic says "スタッフ-staff"
    assert to_hiragana("ヤマダ ハナコ") == "やまだ はなこ"


def test_tokens_are_cached_per_text_and_callers_cannot_change_the_cache():
    text = "キャッシュの確認のための一文です。"
    first = tokens(text)
    first.clear()
    hits = japanese._analyse.cache_info().hits
    assert tokens(text) and japanese._analyse.cache_info().hits == hits + 1


def test_one_tagger_serves_many_threads():
    texts = [f"第{n}回の協議の場で山田さんが報告した。" for n in range(40)]
    expected = {t: [(x.surface, x.start) for x in japanese._analyse.__wrapped__(t)] for t in texts}
    results, errors = {}, []

    def work(chunk):
        try:
            for t in chunk:
                results[t] = [(x.surface, x.start) for x in japanese._analyse.__wrapped__(t)]
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    tagger = japanese._get_tagger()
    threads = [threading.Thread(target=work, args=(texts[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and results == expected
    assert japanese._get_tagger() is tagger


def test_normalise_maps_width_and_back_to_the_original():
    assert normalise("０４５－６７８　ｓｏｕｄａｎ＠ｅｘａｍｐｌｅ．ｊｐ ｶﾞｲﾄﾞ") == "045-678 soudan@example.jp ガイド"
    original = "電話ｶﾞ０４５－６７８"
    norm = normalise_with_offsets(original)
    assert norm.text == "電話ガ045-678"
    start = norm.text.index("045")
    assert original[slice(*norm.span(start, start + 7))] == "０４５－６７８"
    assert original[slice(*norm.span(2, 3))] == "ｶﾞ"  # one character from two
    assert normalise_with_offsets("").text == ""
