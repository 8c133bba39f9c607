"""Fixtures of the modules that read the three published waves built once per module
(`conftest.module_published_waves`): import them into such a module."""

import pytest
from django.core.cache import cache

from surveys.models import District, Wave
from tests.lagesbild.conftest import shared_districts, shared_waves


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def districts(module_published_waves: dict[str, list[int]], db: None) -> list[District]:
    return shared_districts(module_published_waves)


@pytest.fixture
def waves(module_published_waves: dict[str, list[int]], db: None) -> list[Wave]:
    return shared_waves(module_published_waves)
