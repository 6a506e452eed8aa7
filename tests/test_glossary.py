"""One word per concept: every catalogue message is read against locale/glossary.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = tomllib.loads((ROOT / "locale" / "glossary.toml").read_text(encoding="utf-8"))["term"]


def _messages():
    with (ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        catalogue = read_po(handle)
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        yield message.context, " ".join(ids), " ".join(s for s in strings if s)


def slips(messages, glossary=GLOSSARY) -> list[str]:
    found = []
    for context, english, japanese in messages:
        for term in glossary:
            if "context" in term and context != term["context"]:
                continue
            if "where" in term and not re.search(term["where"], english, re.IGNORECASE):
                continue
            for variant in term.get("not_ja", []):
                if re.search(variant, japanese):
                    found.append(f"{term['concept']}: {japanese!r} uses {variant!r}, say {term['ja']!r} ({english!r})")
            for variant in term.get("not_en", []):
                if re.search(variant, english, re.IGNORECASE):
                    found.append(f"{term['concept']}: {english!r} uses {variant!r}, say {term['en']!r}")
    return found


def test_every_message_uses_the_glossary_word_for_its_concept():
    assert slips(_messages()) == []


def test_the_glossary_catches_the_slips_people_saw():
    seen = [
        ("activity entry", "Declined", "見送り"),
        ("activity entry", "Submitted", "申込み済み"),
        ("consultation body", "body", "本文"),
        ("contact mode", "Phone", "電話番号"),
        (None, "Sign in with a passkey", "パスキーでサインイン"),
    ]
    assert len(slips(seen)) == len(seen)
    # and each glossary word passes its own checks
    own = [(term.get("context"), term["en"], term["ja"]) for term in GLOSSARY]
    assert slips(own) == []


def test_one_english_word_two_concepts_reads_right_in_japanese():
    from django.utils import translation

    from collaboration.activity.models import ActivityStatusChange, EntryStatus, Mode
    from training.models import Application

    with translation.override("ja"):
        assert str(EntryStatus.DECLINED.label) == "差し戻し"  # returned to its author to correct
        assert str(ActivityStatusChange.Action.SUBMITTED.label) == "提出済み"
        assert str(Application.State.DECLINED.label) == "見送り"  # not selected
        assert str(Mode.PHONE.label) == "電話"


def test_the_meeting_form_names_its_consultation_body_not_a_text_body():
    from django.utils import translation

    from cms.models import ContentPage
    from collaboration.models import Meeting

    with translation.override("ja"):
        assert str(Meeting._meta.get_field("body").verbose_name) == "協議の場"
        assert str(ContentPage._meta.get_field("body").verbose_name) == "本文"  # a page's text
