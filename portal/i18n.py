"""Bilingual data: records that carry their own Japanese and English text (`name_ja`,
`name_en`, ...) and show the one of the active language."""

from __future__ import annotations

from django.utils.translation import get_language


def english_active() -> bool:
    return (get_language() or "ja").startswith("en")


class localized:
    """A read-only attribute reading `<stem>_en` or `<stem>_ja` by the active language.

    name = localized()                  # reads name_en / name_ja
    text = localized(fallback=True)     # English, or the Japanese text where none is written
    """

    def __init__(self, stem: str | None = None, *, fallback: bool = False):
        self.stem = stem
        self.fallback = fallback

    def __set_name__(self, owner, name: str) -> None:
        self.stem = self.stem or name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        japanese = getattr(obj, f"{self.stem}_ja")
        if english_active():
            english = getattr(obj, f"{self.stem}_en")
            return english or japanese if self.fallback else english
        return japanese


def join_list(values) -> str:
    """Join words the way the active language does: 「、」 in Japanese, ", " in English."""
    return (", " if english_active() else "、").join(str(v) for v in values)
