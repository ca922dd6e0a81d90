"""Who may open what: role checks for views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

View = TypeVar("View", bound=Callable[..., ResponseReturnValue])


def roles_required(*roles: str) -> Callable[[View], View]:
    """Signed in and holding at least one of the roles; otherwise sign-in page or 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(*args: Any, **kwargs: Any) -> ResponseReturnValue:
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return cast(View, wrapper)

    return decorate
