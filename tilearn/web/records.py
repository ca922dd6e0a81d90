"""A learner's own records: certificates (page and PDF), and everything held about them."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, render_template, url_for
from flask_login import current_user, login_required

from tilearn.extensions import db
from tilearn.models import CompletionRecord
from tilearn.services import certificates, my_data
from tilearn.services.organisation import current_settings
from tilearn.web.library_state import current_library

bp = Blueprint("records", __name__)


def _own_record(record_id: int) -> CompletionRecord:
    record = db.session.get(CompletionRecord, record_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    return record


def pdf_response(record: CompletionRecord, holder: str) -> Response:
    """The certificate PDF as a download."""
    status = certificates.record_status(record, current_library().stale_labels(record.module_id))
    verify_url = url_for("verify.check", code=record.verification_code, _external=True)
    pdf = certificates.certificate_pdf(record, holder, current_settings().name, verify_url, status)
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{record.module_id}-{record.id}.pdf"'
        },
    )


@bp.get("/certificates")
@login_required
def my_certificates() -> str:
    """Every completion record the learner holds, with its status."""
    records = certificates.records_for(current_user.id)
    library = current_library()
    rows = [(r, certificates.record_status(r, library.stale_labels(r.module_id))) for r in records]
    return render_template("records/my_certificates.html", rows=rows)


@bp.get("/certificates/<int:record_id>")
@login_required
def certificate(record_id: int) -> str:
    """A printable certificate page."""
    record = _own_record(record_id)
    status = certificates.record_status(record, current_library().stale_labels(record.module_id))
    return render_template(
        "records/certificate.html",
        record=record,
        status=status,
        holder=current_user.name,
        organisation=current_settings().name,
    )


@bp.get("/certificates/<int:record_id>.pdf")
@login_required
def certificate_pdf(record_id: int) -> Response:
    """The certificate as a real PDF."""
    return pdf_response(_own_record(record_id), current_user.name)


@bp.get("/my-data", endpoint="my_data")
@login_required
def my_data_export() -> Response:
    """Everything held about the learner, as a JSON file."""
    body = json.dumps(my_data.export_my_data(current_user.id), indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-tilearn-data.json"'},
    )
