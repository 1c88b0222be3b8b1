"""Supervisor page to issue and reprint label sheets (the PDF downloads).

Both forms are checked by a model before anything is registered or printed; a
bad value re-shows the page with what was typed and a message in the reader's
language.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from flask import Blueprint, current_app, render_template, request, send_file
from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

import labels
from custody.domain.errors import DomainError, UnknownAsset
from custody.domain.model import AssetKind, Category
from custody.services import label_sheets
from custody.web import get_db, get_settings
from custody.web.api import RequestInvalid, check
from custody.web.messages import message_for
from custody.web.schemas import Text, _Input

bp = Blueprint("label_pages", __name__)

WEB_MAX_BATCH = 5_000  # larger batches: `custody labels issue`, with a progress bar
ISSUABLE = ("bag", "bin", "vehicle")  # fixed assets are registered one by one, with a place
Layout = Literal[tuple(labels.SHEETS)]  # type: ignore[valid-type]


class IssueForm(_Input):
    """A batch of new labels: what kind, which category, how many, for which village."""

    kind: Literal[ISSUABLE]  # type: ignore[valid-type]
    category: Category | None = None
    count: int = Field(ge=1, le=WEB_MAX_BATCH)
    village: Text | None = None
    layout: Layout = "a4"

    @model_validator(mode="after")
    def _category_for_bags_and_bins(self) -> IssueForm:
        """Bags and bins hold exactly one category."""
        if self.kind in ("bag", "bin") and self.category is None:
            raise PydanticCustomError("category_required", "bags and bins need a category")
        return self


class ReprintForm(_Input):
    """Labels to print again: by code, by village, or every asset of a kind."""

    codes: str = ""
    village: Text | None = None
    kind: AssetKind | None = None
    layout: Layout = "a4"

    @model_validator(mode="after")
    def _something(self) -> ReprintForm:
        """At least one way of naming the labels."""
        if not (self.codes.split() or self.village or self.kind):
            raise PydanticCustomError("reprint_what", "codes, a village or a kind")
        return self


def _page(status: int = 200, problems: list[dict] | None = None, typed: dict | None = None,
          form: str = ""):
    """The label page, with the problems of one form and what was typed into it."""
    return render_template("labels.html", max_batch=WEB_MAX_BATCH, issuable=ISSUABLE,
                           kinds=list(AssetKind), layouts=list(labels.SHEETS),
                           problems=problems or [], typed=typed or {}, form=form), status


@bp.get("/labels")
def form():
    """The issue and reprint forms."""
    return _page()


@bp.post("/labels/issue")
def issue():
    """Register a batch of new assets and download their sheet."""
    def run(out: Path, data: IssueForm) -> None:
        label_sheets.issue(get_db(current_app), get_settings(current_app),
                           kind=AssetKind(data.kind), category=data.category,
                           count=data.count, village=data.village, out=out, layout=data.layout)
    return _pdf(IssueForm, run, "labels-issued.pdf", "issue")


@bp.post("/labels/print")
def reprint():
    """Download the sheet of existing assets."""
    def run(out: Path, data: ReprintForm) -> None:
        label_sheets.reprint(get_db(current_app), get_settings(current_app),
                             codes=data.codes.split() or None, village=data.village,
                             kind=data.kind, out=out, layout=data.layout)
    return _pdf(ReprintForm, run, "labels-reprint.pdf", "reprint")


def _pdf(model, run, name: str, which: str):
    """Check the form, run a sheet writer into a temp file and send it; else the form again."""
    typed = request.form.to_dict()
    typed.pop("csrf_token", None)
    try:
        data = check(model, typed)
    except RequestInvalid as exc:
        return _page(400, _with_params(exc.problems()), typed, which)
    folder = Path(tempfile.mkdtemp(prefix="custody-labels-"))
    out = folder / name
    try:
        run(out, data)
    except UnknownAsset:
        shutil.rmtree(folder, ignore_errors=True)
        return _page(422, [_problem("codes", "unknown_asset_list",
                                    ids=", ".join(_missing(data)) or "—")], typed, which)
    except DomainError as exc:  # e.g. a code in the list that is not one of ours
        shutil.rmtree(folder, ignore_errors=True)
        code = "bad_code" if which == "reprint" else exc.code
        return _page(422, [_problem("codes" if which == "reprint" else "kind", code)],
                     typed, which)
    response = send_file(out, mimetype="application/pdf", as_attachment=True,
                         download_name=name)
    response.call_on_close(lambda: (out.unlink(missing_ok=True), folder.rmdir()))
    return response


def _problem(field: str, code: str, **params: Any) -> dict:
    """One problem of a form, its message in the reader's language."""
    return {"field": field, "code": code, "message": message_for(code, **params)}


def _with_params(problems: list[dict]) -> list[dict]:
    """Problems whose messages need the batch limit get it."""
    return [_problem(p["field"], p["code"], max_batch=WEB_MAX_BATCH)
            if p["code"] == "bad_count" else p for p in problems]


def _missing(data: ReprintForm) -> list[str]:
    """The asked-for asset ids that are not registered."""
    scheme = label_sheets.identity(get_settings(current_app))
    wanted = [c.upper() for c in data.codes.split() if len(c) == 9]
    found = label_sheets.label_data(get_db(current_app), scheme, wanted)
    return sorted(set(wanted) - set(found))
