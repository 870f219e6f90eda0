"""factory_boy factories shared by the whole suite. Apps add their own below their heading."""

from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from portal.models import User
from portal.roles import ADMIN_GROUP, STAFF_GROUP

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.jp")
    full_name = factory.Faker("name", locale="ja_JP")
    preferred_language = "ja"
    # The cast has confirmed its addresses; tests of sign-up confirmation pass None.
    email_confirmed_at = factory.LazyFunction(timezone.now)
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def customer(**kwargs) -> User:
    return UserFactory(**kwargs)


def agent(**kwargs) -> User:
    return UserFactory(role=STAFF_GROUP, **kwargs)


def administrator(**kwargs) -> User:
    return UserFactory(role=ADMIN_GROUP, is_staff=True, **kwargs)
