"""Conventions that run (STYLE habit 7): every model has a factory in tests/<app>/factories.py
that builds a valid, saved object."""

from __future__ import annotations

import importlib

import factory
import pytest
from django.apps import apps

# Each domain app joins this list when its models land.
APPS = (
    "accounts",
    "audit",
    "licensing",
    "cases",
    "notifications",
    "surveys",
    "routing",
    "attachments",
    "knowledge",
    "downloads",
)


def _factories(app: str) -> dict[str, type[factory.django.DjangoModelFactory]]:
    module = importlib.import_module(f"tests.{app}.factories")
    found: dict[str, type[factory.django.DjangoModelFactory]] = {}
    for value in vars(module).values():
        if isinstance(value, type) and issubclass(value, factory.django.DjangoModelFactory):
            model = value._meta.model
            if model is not None:
                found.setdefault(model._meta.label, value)
    return found


def test_every_model_has_a_factory() -> None:
    missing = [
        model._meta.label
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        if model._meta.label not in _factories(app)
    ]

    assert missing == []


@pytest.mark.django_db
@pytest.mark.parametrize("app", APPS)
def test_every_factory_builds_a_valid_object(app: str) -> None:
    for label, made_by in sorted(_factories(app).items()):
        obj = made_by.create()
        obj.full_clean(exclude=["password"])
        assert type(obj)._default_manager.filter(pk=obj.pk).exists(), label
