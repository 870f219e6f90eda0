"""What the feature apps add to the base's layout and home pages, without the base knowing
them (docs/architecture.md, "Registries").

- Links: the header's customer and staff menus and the footer. A link is a label and a URL
  name; the layout (templates/base.html) renders every registered link of its menu.
- Cards: the tiles of the customer's page (`dashboard`) and of the staff home (`staff_home`),
  each an include template rendered with the page's context.
- Includes: templates a feature app needs on every page, at a fixed place of the layout:
  `head` (style sheets, scripts the customer allowed), `page_top` (an announcement above the
  content) and `page_end` (a banner after the footer).

- Pages: a page of a feature app that base templates link by role, such as
  `privacy_policy` (the sign-up form links it).

Each app registers from its `AppConfig.ready()`; within a place, entries are shown by `order`
and then by registration. Registering the same entry twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MENUS = ("customer", "staff", "footer")
PAGES = ("dashboard", "staff_home")
PLACES = ("head", "page_top", "page_end")


@dataclass(frozen=True)
class Link:
    label: Any  # a lazy translation
    url_name: str
    order: int


@dataclass(frozen=True)
class Fragment:
    template: str
    order: int


_links: dict[str, list[Link]] = {menu: [] for menu in MENUS}
_cards: dict[str, list[Fragment]] = {page: [] for page in PAGES}
_includes: dict[str, list[Fragment]] = {place: [] for place in PLACES}
_pages: dict[str, str] = {}


def _add(table: dict[str, list], key: str, entry) -> None:
    if key not in table:
        raise ValueError(f"unknown place {key!r}: one of {', '.join(table)}")
    if entry not in table[key]:
        table[key].append(entry)
        table[key].sort(key=lambda e: e.order)  # stable: registration order breaks ties


def link_register(menu: str, label, url_name: str, *, order: int) -> None:
    """A link in `menu` ("customer", "staff" or "footer")."""
    _add(_links, menu, Link(label, url_name, order))


def card_register(page: str, template: str, *, order: int) -> None:
    """A card on `page` ("dashboard" or "staff_home")."""
    _add(_cards, page, Fragment(template, order))


def include_register(place: str, template: str, *, order: int) -> None:
    """A template included on every page at `place` ("head", "page_top" or "page_end")."""
    _add(_includes, place, Fragment(template, order))


def page_register(role: str, url_name: str) -> None:
    """The page that plays `role` (e.g. "privacy_policy") for the base's templates."""
    if _pages.get(role, url_name) != url_name:
        raise ValueError(f"{role} is already {_pages[role]}")
    _pages[role] = url_name


def pages() -> dict[str, str]:
    return dict(_pages)


def links() -> dict[str, list[Link]]:
    return {menu: list(entries) for menu, entries in _links.items()}


def cards(page: str) -> list[str]:
    return [card.template for card in _cards[page]]


def includes() -> dict[str, list[str]]:
    return {place: [f.template for f in entries] for place, entries in _includes.items()}
