"""A malformed crontab in the schedules admin is a message on the field, never a 500, and the
schedule beat reads stays as it was."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_celery_beat.models import CrontabSchedule

from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def _post(client, crontab, **changes):
    url = reverse("admin:django_celery_beat_crontabschedule_change", args=[crontab.pk])
    data = {**change_form_data(client.get(url)), **changes}
    return client.post(url, data)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("minute", "5,"),
        ("minute", "-1"),
        ("hour", "abc"),
        ("hour", "99"),
        ("day_of_week", "*/0"),
        ("day_of_month", "1-"),
        ("month_of_year", "\x00"),
        ("minute", "1" * 300),
    ],
)
def test_a_malformed_crontab_is_refused_with_a_message(admin_client_, field, value):
    crontab = CrontabSchedule.objects.create(minute="30", hour="3", timezone="Asia/Tokyo")
    response = _post(admin_client_, crontab, **{field: value})
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert field in form.errors
    crontab.refresh_from_db()
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("30", "3", "*")


def test_a_good_crontab_is_saved(admin_client_):
    crontab = CrontabSchedule.objects.create(minute="30", hour="3", timezone="Asia/Tokyo")
    response = _post(admin_client_, crontab, minute="*/15", hour="1-5", day_of_week="1,3")
    assert response.status_code == 302, response.context["adminform"].form.errors
    crontab.refresh_from_db()
    assert (crontab.minute, crontab.hour, crontab.day_of_week) == ("*/15", "1-5", "1,3")
