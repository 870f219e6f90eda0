"""Form rendering helpers for the portal's templates."""

from django import template

register = template.Library()


@register.filter
def plain_label(field):
    """The field's <label> without Django's label suffix: a Japanese label reads wrongly
    with a half-width colon after it (worse after a question mark), and the labels stand
    above their fields, so neither language needs one."""
    return field.label_tag(label_suffix="")
