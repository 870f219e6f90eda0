from django import template
from django.template.loader import get_template

from consents.cookies import ga_link as _ga_link
from consents.countries import country_name
from portal.i18n import join_list

register = template.Library()


@register.filter
def countries(purpose) -> str:
    """The purpose's destination countries by name, in the page's language (LY-2)."""
    return join_list(country_name(c) for c in purpose.country_list)


@register.simple_tag
def ga_link(name: str) -> str:
    """Google's page about Analytics named `name` (terms, privacy, opt_out), in the page's
    language (LW-7)."""
    return _ga_link(name)


@register.filter
def listing(values) -> str:
    """Join names the way the page's language does: 「、」 in Japanese, ", " in English."""
    return join_list(values)


@register.simple_tag(takes_context=True)
def consent_section(context, section: dict) -> str:
    """Render a section registered by a higher app (consents.sections) with its own context
    keys as top-level variables, besides the page's (request, user, csrf_token...)."""
    flat = context.flatten()
    flat.update(section.get("context") or {})
    return get_template(section["template"]).render(flat, context.get("request"))
