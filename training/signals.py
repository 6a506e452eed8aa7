"""Signals other apps listen to (training names nothing above it).

`certification_history_added`: sent by the daily sweep, inside its transaction, when it lapsed
certifications: it appends history rows in bulk (INSERT … SELECT, so no post_save), and `at` is
the time written on every row it added."""

from __future__ import annotations

from django.dispatch import Signal

certification_history_added = Signal()
