"""A factory per model (README: "Where things live"), each able to make a valid row."""

import inspect

import factory
import pytest
from django.apps import apps

from tests import factories

PROJECT = ("accounts", "applications", "cameras", "common", "monitoring", "integrations")


def _factories():
    return {
        f._meta.model: f
        for _, f in inspect.getmembers(factories, inspect.isclass)
        if issubclass(f, factory.django.DjangoModelFactory) and f._meta.model is not None
    }


def test_every_model_of_the_project_has_a_factory():
    models = {m for m in apps.get_models() if m._meta.app_label in PROJECT}
    assert sorted(m.__name__ for m in models - set(_factories())) == []


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(m.__name__ for m in _factories()))
def test_each_factory_makes_a_valid_row(name):
    made = next(f for m, f in _factories().items() if m.__name__ == name)()
    assert made.pk is not None
