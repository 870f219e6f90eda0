"""Form widgets written in Python where the template engine is too slow for a hot page.

`PlainSelect` is Django's `Select` with the same markup (django/forms/widgets/select.html,
select_option.html, attrs.html) built from the same widget context in Python: rendered
through templates, each option costs two template includes, and the staff queue's menus were
half of its rendering time (issue 13, P1). Optgroups and multiple selection fall back to the
templates.
"""

from __future__ import annotations

from django import forms
from django.utils.html import escape
from django.utils.safestring import mark_safe


def _attrs(attrs: dict) -> str:
    """As attrs.html: ` name="value"`, a bare ` name` for True, nothing for False."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{escape(value)}"')
    return "".join(out)


class PlainSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)
        widget = context["widget"]
        if self.allow_multiple_selected or any(group for group, _o, _i in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        parts = [f'<select name="{escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for _group, options, _index in widget["optgroups"]:
            for option in options:
                parts.append(
                    f'\n  <option value="{escape(option["value"])}"{_attrs(option["attrs"])}>'
                    f"{escape(option['label'])}</option>\n"
                )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value is escaped)
