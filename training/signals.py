"""Signals other apps listen to (training names nothing above it).

`certification_history_added`: sent by the daily sweep, inside its transaction, after it
appended history rows in bulk (INSERT … SELECT, so no post_save): `at` is the time written on
every row it added."""

from __future__ import annotations

from django.dispatch import Signal

certification_history_added = Signal()
