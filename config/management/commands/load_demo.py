"""Load the demo data of every app (idempotent). Refused where demo data is not allowed.

It lives in `config` because it names every app (the website's pages in `cms` among them), so
it sits above them all; each app keeps its own part in its `demo.py`."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cms import demo as cms_demo
from collaboration import demo as collaboration_demo
from collaboration.activity import demo as activity_demo
from peers import demo as peers_demo
from training import demo as training_demo


class Command(BaseCommand):
    help = "Load demo accounts and content (never in production). Running it twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-summary", action="store_true", help="Do not print the accounts.")

    def handle(self, *args, **options):
        if not settings.KAKEHASHI_DEMO_ALLOWED:
            raise CommandError("Demo data is not allowed here (KAKEHASHI_DEMO_ALLOWED is off).")
        summary = peers_demo.load()
        training_demo.load()
        cms_demo.load()
        collaboration_demo.load()
        activity_demo.load()
        if options["quiet_summary"]:
            return
        self.stdout.write("")
        self.stdout.write("Demo accounts (password: %s)" % summary["password"])
        for email, role, staff in summary["accounts"]:
            note = "  [two-step sign-in on]" if staff else ""
            self.stdout.write(f"  {email:<26} {role}{note}")
        self.stdout.write("")
        self.stdout.write("Staff accounts use two-step sign-in with this TOTP secret:")
        self.stdout.write(f"  {summary['totp_secret']}")
        self.stdout.write(
            "  Add it to an authenticator app, or get a code with:\n"
            "  .venv/bin/python -c \"import pyotp; print(pyotp.TOTP('%s').now())\"" % summary["totp_secret"]
        )
