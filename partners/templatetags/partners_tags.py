from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def listing(values) -> str:
    """Join a list the way the page's language does: 「、」 in Japanese, ", " in English."""
    separator = ", " if (get_language() or "ja").startswith("en") else "、"
    return separator.join(str(v) for v in values)
