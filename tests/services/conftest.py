"""Fixtures the service tests share: an app context, and an admin made inside it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask


@pytest.fixture
def ctx(app: Flask) -> Iterator[None]:
    """Run the test inside the app's context, as a service call in a request would be."""
    with app.app_context():
        yield


@pytest.fixture
def admin(ctx, make_user):
    """An admin, for service calls that need someone to have done them."""
    return make_user("admin")
