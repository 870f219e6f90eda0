# ruff: noqa: RUF001 (the admin's own Japanese punctuation)
# base-rename: keep old names (this file tests how rows written under them are shown)
"""What the feature apps register with the base (docs/architecture.md, "Registries"): the
order the base shows and runs them in, written out here; the settings rows' shared base; and
old audit names shown under today's names in the admin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from incidents.models import IncidentSettings
from portal import audit_names, erasure, inventory, navigation
from portal.models import AuditEvent, SingletonSettings
from portal.services import audit_record
from requests import workflow
from requests.models import JobSettings


def test_the_erasers_run_in_the_order_of_the_layers():
    assert erasure.erasers() == ["consents.devices", "partners.provision_records", "requests"]


def test_the_disclosure_categories_keep_their_order():
    assert list(inventory.CATEGORIES) == [
        "profile",
        "access_log",
        "consents",
        "requests",
        "provisions",
        "incidents",
    ]


def test_every_model_of_the_apps_is_in_the_inventory():
    labels = {label.split(".")[0] for label in inventory.INVENTORY}
    assert labels == {"portal", "consents", "partners", "requests", "incidents"}
    assert "requests.JobSettings" in inventory.INVENTORY
    assert "portal.JobSettings" not in inventory.INVENTORY


def test_a_label_cannot_be_classified_twice_in_two_ways():
    entry = inventory.INVENTORY["requests.JobSettings"]
    inventory.register({"requests.JobSettings": entry})  # the same entry again: nothing changes
    with pytest.raises(ValueError, match="already in the data inventory"):
        inventory.register({"requests.JobSettings": inventory.Entry(None, None, {})})


def test_the_menus_and_pages_list_what_the_apps_registered():
    links = navigation.links()
    assert [link.url_name for link in links["customer"]] == [
        "requests:list",
        "consents:consent_page",
    ]
    assert [link.url_name for link in links["staff"]] == ["requests:staff_queue"]
    assert [link.url_name for link in links["footer"]] == [
        "consents:policy",
        "requests:contact",
        "consents:policy_history",
        "consents:cookies",
        "partners:group_companies",
        "partners:countries",
        "partners:joint_use",
        "requests:transparency",
        "incidents:announcements",
    ]
    assert navigation.cards("dashboard") == [
        "customer/consents/dashboard_card.html",
        "customer/partners/dashboard_card.html",
        "customer/profile_card.html",
        "customer/requests/dashboard_card.html",
    ]
    assert navigation.cards("staff_home") == [
        "staff/partners/home_card.html",
        "staff/requests/home_card.html",
        "staff/requests/jobs_mail_card.html",
        "staff/incidents/home_card.html",
    ]
    assert navigation.pages() == {
        "privacy_policy": "consents:policy",
        "contact": "requests:contact",
        "transparency": "requests:transparency",
    }
    with pytest.raises(ValueError, match="unknown place"):
        navigation.card_register("sidebar", "x.html", order=1)


def test_the_customer_page_shows_the_registered_links_and_cards(customer_client):
    page = customer_client.get(reverse("dashboard")).content.decode()
    for url in (
        reverse("requests:list"),
        reverse("consents:consent_page"),
        reverse("consents:policy"),
        reverse("partners:joint_use"),
        reverse("incidents:announcements"),
        reverse("partners:provisions"),
        reverse("profile"),
    ):
        assert f'href="{url}"' in page
    # The consents app's style sheet comes through its include in the layout's head.
    assert "consents/consents" in page.split("</head>")[0]
    # The footer keeps its order: policy first, incident announcements last.
    footer = page.split('<footer class="site-footer">')[1]
    assert footer.index(reverse("consents:policy")) < footer.index(reverse("partners:joint_use"))
    assert footer.index(reverse("partners:joint_use")) < footer.index(
        reverse("incidents:announcements")
    )


def test_the_staff_home_shows_the_registered_cards(agent_client):
    page = agent_client.get(reverse("staff_home")).content.decode()
    assert 'id="failed-mail-card"' in page
    for url in (
        reverse("partners:staff_registry"),
        reverse("requests:staff_queue"),
        reverse("incidents:staff_list"),
    ):
        assert f'href="{url}"' in page


@pytest.mark.django_db
def test_both_settings_rows_share_the_singleton_base():
    assert issubclass(JobSettings, SingletonSettings)
    assert issubclass(IncidentSettings, SingletonSettings)
    jobs = JobSettings.current()
    assert (jobs.pk, jobs.reminder_offsets) == (1, [3, 1])
    JobSettings(pk=7, reminder_days_before="5, 2").save()  # the id is always 1
    assert list(JobSettings.objects.values_list("pk", flat=True)) == [1]
    assert JobSettings.current().reminder_offsets == [5, 2]
    incident = IncidentSettings(reminder_days_before="not days")
    assert incident.reminder_offsets == [3, 1]
    assert str(IncidentSettings.current()) == str(IncidentSettings._meta.verbose_name)


def test_old_audit_names_read_as_todays():
    assert audit_names.current_name("requests.request.close") == "requests.request.closed"
    assert audit_names.current_name("requests.request.closed") == "requests.request.closed"
    assert audit_names.names_for("requests.request.closed") == [
        "requests.request.close",
        "requests.request.closed",
    ]
    assert audit_names.current_name("portal.worker.ping") == "portal.worker.pinged"


@pytest.mark.clause("LW-5")
def test_the_admin_shows_old_rows_under_todays_name(admin_client_, customer):
    audit_record(actor=None, action="requests.request.close", target=customer)
    audit_record(actor=None, action="requests.request.closed", target=customer)
    audit_record(actor=None, action="requests.request.viewed", target=customer)
    assert AuditEvent.objects.count() >= 3
    url = reverse("admin:portal_auditevent_changelist")
    page = admin_client_.get(url, {"action": "requests.request.closed"}).content.decode()
    assert page.count("requests.request.closed") >= 2
    # The old row says under which name it was written (in Japanese: 記録時の名前は ...).
    assert "記録時の名前は requests.request.close）" in page
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert rows.count("<tr") == 3  # the header and the two rows of the action
    assert "requests.request.viewed" not in rows
    # The filter offers today's name once, never the old one.
    full = admin_client_.get(url).content.decode()
    assert "?action=requests.request.closed" in full
    assert (
        "?action=requests.request.close&" not in full
        and '?action=requests.request.close"' not in full
    )


def _actions_written_by_the_code() -> set[str]:
    """Every action name a call of `audit_record` can write, read from the source (the
    workflow's transitions name theirs in one table)."""
    names: set[str] = set()
    for app in ("portal", "consents", "partners", "requests", "incidents"):
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                called = getattr(node.func, "id", getattr(node.func, "attr", None))
                for keyword in node.keywords if called == "audit_record" else ():
                    if keyword.arg == "action":
                        names |= {
                            c.value
                            for c in ast.walk(keyword.value)
                            if isinstance(c, ast.Constant) and isinstance(c.value, str)
                        }
    return names | set(workflow.AUDIT_ACTIONS.values())


def test_every_audit_action_has_words_in_both_languages():
    written = _actions_written_by_the_code()
    assert len(written) > 80  # the scan found the calls
    assert written - set(audit_names.labelled()) == set()
    with translation.override("ja"):
        japanese = {name: audit_names.label(name) for name in written}
    with translation.override("en"):
        english = {name: audit_names.label(name) for name in written}
    untranslated = [name for name in written if japanese[name] == english[name]]
    assert untranslated == []
    # A few, by hand.
    assert japanese["requests.request.closed"] == "請求の完了"
    assert japanese["consents.consent.changed"] == "同意の変更"
    assert english["partners.provision.recorded"] == "Provision recorded"
    # An old name reads as today's words.
    with translation.override("en"):
        assert audit_names.label("requests.request.close") == "Request closed"


@pytest.mark.clause("LW-5")
def test_the_admin_shows_audit_actions_in_words(admin_client_, customer):
    audit_record(actor=None, action="requests.request.closed", target=customer)
    url = reverse("admin:portal_auditevent_changelist")
    page = admin_client_.get(url).content.decode()
    rows = page.split('id="result_list"')[1].split("</table>")[0]
    assert "請求の完了 <code>requests.request.closed</code>" in rows
    # The filter offers the words too.
    assert "請求の完了</a>" in page.split('id="changelist-filter"')[1]
