from django import template

from portal.i18n import join_list

register = template.Library()


@register.filter
def listing(values) -> str:
    """Join a list the way the page's language does: 「、」 in Japanese, ", " in English."""
    return join_list(values)
