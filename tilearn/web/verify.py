"""Public certificate checks: no sign-in, for anyone, including other organisations."""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from tilearn.services import certificates
from tilearn.services.organisation import current_settings
from tilearn.web.library_state import current_library

bp = Blueprint("verify", __name__, url_prefix="/verify")


@bp.after_request
def _not_indexed(response: Response) -> Response:
    """Certificate pages name a person: keep them out of search engines."""
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/")
def lookup() -> ResponseReturnValue:
    """A form to type in a verification code."""
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("verify.check", code=code))
    return render_template("verify/lookup.html")


@bp.get("/<code>")
def check(code: str) -> ResponseReturnValue:
    """The certificate's holder, module, level, version, dates, organisation and status."""
    found = certificates.find_by_code(code)
    if found is None:
        return render_template("verify/unknown.html", code=code), 404
    record, holder = found
    status = certificates.record_status(record, current_library().stale_labels(record.module_id))
    return render_template(
        "verify/check.html",
        record=record,
        holder=holder.name,
        status=status,
        organisation=current_settings().name,
    )
