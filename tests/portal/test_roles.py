"""The two roles of LW-5 exist with their permissions."""

import pytest
from django.contrib.auth.models import Group

from portal.roles import ADMIN_GROUP, STAFF_GROUP


@pytest.mark.django_db
@pytest.mark.clause("LW-5")
def test_roles_and_least_privilege(customer, agent, administrator):
    assert Group.objects.filter(name__in=[STAFF_GROUP, ADMIN_GROUP]).count() == 2
    assert not customer.is_privacy_staff and not customer.is_privacy_admin
    assert agent.is_privacy_staff and not agent.is_privacy_admin
    assert administrator.is_privacy_staff and administrator.is_privacy_admin
    # Staff may read the audit log but nobody may change it.
    assert agent.has_perm("portal.view_auditevent")
    assert not administrator.has_perm("portal.change_auditevent")


@pytest.mark.django_db
def test_a_deactivated_staff_member_loses_access(client, agent):
    agent.is_active = False
    agent.save()
    client.force_login(agent)
    assert client.get("/staff/").status_code in (302, 403)
