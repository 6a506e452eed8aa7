"""What the ground floor's models share: bilingual names, and trusting saved relations in
`full_clean()`."""

from __future__ import annotations

from django.utils.translation import get_language


class BilingualNameMixin:
    """A row named in Japanese and English; `name` follows the active language."""

    name_ja: str
    name_en: str

    @property
    def name(self) -> str:
        if (get_language() or "ja").startswith("en") and self.name_en:
            return self.name_en
        return self.name_ja

    def __str__(self) -> str:
        return self.name


class TrustsSavedRelations:
    """`full_clean()` checks that each foreign key points at an existing row with one query per
    key. When the related object was loaded from (or saved to) the database in this very
    transaction that query tells nothing new, so it is skipped; a bare id, or an unsaved
    object, is still checked. Constraints are validated as before. Bulk work such as an import
    of thousands of rows pays several queries less per row."""

    def clean_fields(self, exclude=None):
        exclude = set(exclude or ())
        for field in self._meta.concrete_fields:
            if field.many_to_one and field.name not in exclude and field.is_cached(self):
                related = field.get_cached_value(self)
                if related is not None and related.pk is not None and not related._state.adding \
                        and getattr(self, field.attname) == related.pk:
                    exclude.add(field.name)
        super().clean_fields(exclude=exclude)
