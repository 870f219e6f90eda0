"""Build the POST of a Django admin change page from the page as served, so that a test can
change one field and submit the rest as the browser would."""

from __future__ import annotations


def _field_data(form) -> dict:
    data: dict = {}
    for bound in form:
        value = bound.value()
        if value is None:
            continue
        if isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
            continue
        if isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


def change_form_data(response) -> dict:
    """Every field of the admin form and of its inline formsets (management forms too)."""
    data = _field_data(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        data.update(_field_data(formset.management_form))
        for form in formset.forms:
            data.update(_field_data(form))
    return data
