"""Load the demo data of every app (idempotent). Refused where demo data is not allowed.

It lives in `config` because it names every app (the website's pages in `cms` among them), so
it sits above them all; each app keeps its own part in its `demo.py`.

Loading the demo walks people through the services, which write emails (an application's
status, a suspended certification …). None of them is sent: while the demo loads, mail goes to
Django's in-memory backend, and the command prints one line saying how many were held back,
instead of the console backend's raw MIME text."""

from django.conf import settings
from django.core import mail
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import translation

from cms import demo as cms_demo
from collaboration import demo as collaboration_demo
from collaboration.activity import demo as activity_demo
from peers import demo as peers_demo
from training import demo as training_demo

HELD_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _both(text) -> str:
    """A lazy label in Japanese and in English, once when they are the same."""
    with translation.override("ja"):
        ja = str(text)
    with translation.override("en"):
        en = str(text)
    return ja if ja == en else f"{ja} / {en}"


class Command(BaseCommand):
    help = "Load demo accounts and content (never in production). Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-summary", action="store_true", help="Do not print the accounts.")

    def handle(self, *args, **options):
        if not settings.KAKEHASHI_DEMO_ALLOWED:
            raise CommandError("Demo data is not allowed here (KAKEHASHI_DEMO_ALLOWED is off).")
        with override_settings(EMAIL_BACKEND=HELD_BACKEND):
            outbox = mail.outbox = getattr(mail, "outbox", [])
            before = len(outbox)
            summary = peers_demo.load()
            training_demo.load()
            cms_demo.load()
            collaboration_demo.load()
            activity_demo.load()
            held = len(outbox) - before
            # The demo's emails are nobody's business: drop them, leaving what was there before.
            del outbox[before:]
        if held:
            self.stdout.write(
                f"デモデータのメール {held} 通は送信していません。 / "
                f"{held} email{'s were' if held != 1 else ' was'} not sent (demo data)."
            )
        if options["quiet_summary"]:
            return
        self.stdout.write("")
        self.stdout.write(
            f"デモのアカウント（パスワード: {summary['password']}） / Demo accounts (password: {summary['password']})"
        )
        for email, role, staff in summary["accounts"]:
            note = "  [2段階認証あり / two-step sign-in on]" if staff else ""
            self.stdout.write(f"  {email:<26} {_both(role)}{note}")
        self.stdout.write("")
        self.stdout.write("職員のアカウントは、次の TOTP の秘密鍵で2段階認証を使います。 / "
                          "Staff accounts use two-step sign-in with this TOTP secret:")
        self.stdout.write(f"  {summary['totp_secret']}")
        self.stdout.write(
            "  認証アプリに登録するか、次のコマンドでコードを表示してください。 / "
            "Add it to an authenticator app, or get a code with:\n"
            "  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('%s').now())\"" % summary["totp_secret"]
        )
