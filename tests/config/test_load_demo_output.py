"""The demo loader's console: no raw emails (the console backend's MIME text), one calm line
about the emails it held back, and its summary in Japanese and English."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

# A test that commits: the services send their emails on commit, as in `make run`.
pytestmark = pytest.mark.django_db(transaction=True)

_BASE64_BLOCK = re.compile(r"[A-Za-z0-9+/]{40,}={0,2}")


def test_loading_the_demo_prints_no_raw_emails_and_says_how_many_were_held(settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    mail.outbox = []
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    console = out.getvalue() + "".join(capsys.readouterr())
    for raw in ("Content-Transfer-Encoding", "=?utf-8?", "MIME-Version", "Message-ID"):
        assert raw not in console
    assert not _BASE64_BLOCK.search(console), _BASE64_BLOCK.search(console)
    [held] = re.findall(r"^デモデータのメール (\d+) 通は送信していません。 / (\d+) emails were not sent \(demo data\)\.$",
                        console, re.MULTILINE)
    assert held[0] == held[1] and int(held[0]) > 0
    assert mail.outbox == []
    assert "デモのアカウント" in console and "Demo accounts" in console
    assert "プラットフォーム管理者 / " in console
    # Running it again changes nothing and sends nothing either.
    out = io.StringIO()
    call_command("load_demo", "--quiet-summary", stdout=out)
    console = out.getvalue() + "".join(capsys.readouterr())
    assert "Content-Transfer-Encoding" not in console and "Demo accounts" not in console
