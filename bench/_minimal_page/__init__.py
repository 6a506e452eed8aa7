"""A bare Wagtail page type, installed only by the production bench's settings
(bench/_production_settings.py): the baseline a real page type is measured against."""
