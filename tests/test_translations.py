"""Every user-facing string is translated: the Japanese catalogue is complete and current."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ["config", "peers", "training", "collaboration", "comparisons", "cms", "site"]


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def _untranslated(catalogue) -> list[str]:
    missing = []
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if not all(strings) or message.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return missing


def test_japanese_catalogue_has_no_untranslated_or_fuzzy_entries():
    catalogue = _catalogue(ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    assert len(catalogue) > 100
    assert not catalogue.fuzzy, "the catalogue's header is marked fuzzy, so it would not compile"
    assert _untranslated(catalogue) == []


def test_catalogue_covers_every_string_in_the_code(tmp_path):
    """Extract the strings afresh (Django's makemessages, which needs GNU gettext) and check each
    one is in the committed catalogue with a Japanese translation."""
    if shutil.which("xgettext") is None:
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail("GNU gettext (xgettext) is needed to check the catalogue")
        pytest.skip("GNU gettext not installed")
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", tmp_path / "manage.py")
    (tmp_path / "locale" / "ja" / "LC_MESSAGES").mkdir(parents=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "PYTHONPATH": str(tmp_path)}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ja", "--no-obsolete", "--no-location"],
        cwd=tmp_path, env=env, check=True, capture_output=True,
    )
    fresh = _catalogue(tmp_path / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    committed = _catalogue(ROOT / "locale" / "ja" / "LC_MESSAGES" / "django.po")
    missing = []
    for message in fresh:
        if not message.id:
            continue
        known = committed.get(message.id, message.context)
        if known is None or not (known.string if isinstance(known.string, str) else all(known.string)):
            missing.append(message.id)
    assert missing == [], "Run `make messages` and translate these: %r" % missing[:20]
