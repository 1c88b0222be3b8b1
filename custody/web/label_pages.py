"""Supervisor page to issue and reprint label sheets (the PDF downloads)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, send_file

from custody.domain.errors import DomainError
from custody.domain.model import AssetKind, Category
from custody.services import label_sheets
from custody.web import get_db, get_settings

bp = Blueprint("label_pages", __name__)

WEB_MAX_BATCH = 5_000  # larger batches: `custody labels issue`, with a progress bar


@bp.get("/labels")
def form():
    """The issue and reprint forms."""
    return render_template("labels.html", categories=list(Category), max_batch=WEB_MAX_BATCH)


@bp.post("/labels/issue")
def issue():
    """Register a batch of new assets and download their sheet."""
    def run(out: Path) -> None:
        count = int(request.form.get("count") or 0)
        if not 0 < count <= WEB_MAX_BATCH:
            raise DomainError(f"数量须为 1 至 {WEB_MAX_BATCH} / count must be 1 to "
                              f"{WEB_MAX_BATCH} (use the CLI for more)")
        category = request.form.get("category") or None
        label_sheets.issue(get_db(current_app), get_settings(current_app),
                           kind=AssetKind(request.form.get("kind", "")),
                           category=Category(category) if category else None, count=count,
                           village=(request.form.get("village") or "").strip() or None,
                           out=out, layout=request.form.get("layout", "a4"))
    return _pdf(run, "labels-issued.pdf")


@bp.post("/labels/print")
def reprint():
    """Download the sheet of existing assets."""
    def run(out: Path) -> None:
        codes = (request.form.get("codes") or "").split()
        kind = request.form.get("kind") or None
        label_sheets.reprint(get_db(current_app), get_settings(current_app),
                             codes=codes or None,
                             village=(request.form.get("village") or "").strip() or None,
                             kind=AssetKind(kind) if kind else None, out=out,
                             layout=request.form.get("layout", "a4"))
    return _pdf(run, "labels-reprint.pdf")


def _pdf(run, name: str):
    """Run a sheet writer into a temp file and send it, or show the form with the error."""
    folder = Path(tempfile.mkdtemp(prefix="custody-labels-"))
    out = folder / name
    try:
        run(out)
    except (DomainError, ValueError) as exc:
        return render_template("labels.html", categories=list(Category),
                               max_batch=WEB_MAX_BATCH, error=str(exc)), 422
    response = send_file(out, mimetype="application/pdf", as_attachment=True,
                         download_name=name)
    response.call_on_close(lambda: (out.unlink(missing_ok=True), folder.rmdir()))
    return response
