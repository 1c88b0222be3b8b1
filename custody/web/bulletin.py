"""The monthly bulletin (月通报): the month's assessment as a printable A4 PDF (ReportLab).

Text is set in the Chinese TrueType font the labels use (``labels.cjk_font_path``),
embedded as a subset, so every viewer shows the Chinese names without fonts of
its own. Words come from the catalogs, in the request's language.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from functools import cache

from flask_babel import format_date
from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

import labels
from custody.domain.assessment import KPIS
from custody.web.i18n import rounded

FONT = "CustodyCJK"
HEAD_BG = colors.HexColor("#e4ece6")


@cache
def _font() -> str:
    """The registered font name: the Chinese TrueType font, else Helvetica (no Chinese)."""
    path = labels.cjk_font_path()
    if path is None:
        return "Helvetica"
    try:
        pdfmetrics.registerFont(TTFont(FONT, path, subfontIndex=0))
    except TTFError:  # CFF outlines (an .otf): ReportLab embeds TrueType only
        return "Helvetica"
    return FONT


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{rounded(value * 100):.1f}%"


def _score(value: float | None) -> str:
    return "—" if value is None else f"{rounded(value):.1f}"


def _table(head: list, rows: list[list[str]], widths: list[float], numbers_from: int
           ) -> LongTable:
    font = _font()
    table = LongTable([head, *rows], colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 8),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa59d")),
        ("ALIGN", (numbers_from, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8f6")]),
    ]))
    return table


def _places(rows: list[dict], names: Mapping[str, str], town_column: bool) -> LongTable:
    head = [_("Rank"), _("Name")] + ([_("Town")] if town_column else []) + [
        str(names[k]) for k in (*KPIS, "composite")]
    body = [[str(r["rank"] or "—"), r["name"]] + ([r.get("town") or "—"] if town_column
                                                  else [])
            + [_pct(r[k]) if k != "inspection" else _ratio(r[k]) for k in KPIS]
            + [_score(r["composite"])] for r in rows]
    first = [14 * mm, 32 * mm] + ([26 * mm] if town_column else [])
    rest = (267 * mm - sum(first)) / (len(KPIS) + 1)
    return _table(head, body, first + [rest] * (len(KPIS) + 1), len(first))


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{rounded(value, 2):.2f}"


def _people(rows: list[dict], done: str, due: str) -> LongTable:
    head = [_("Rank"), _("Name"), _("Villages"), done, due, _("Rate")]
    body = [[str(r["rank"] or "—"), r["name"], "、".join(r["villages"]), str(r["done"]),
             str(r["due"]), _ratio(r["rate"])] for r in rows]
    return _table(head, body, [14 * mm, 50 * mm, 97 * mm, 35 * mm, 35 * mm, 36 * mm], 3)


def _figures(rows: list[dict]) -> LongTable:
    head = [_("Village"), _("Booth-days due"), _("Booth-days collected"), _("Room-days due"),
            _("Room-days cleared with a photo"), _("Deposits"), _("Wrongly sorted"),
            _("Keeper checks"), _("Checks finding a wrong category"), _("Inspections"),
            _("Households"), _("Households depositing")]
    body = []
    for r in sorted(rows, key=lambda r: r["name"]):
        c = r["counts"]
        body.append([r["name"], *map(str, (
            c.booths_due, c.booths_collected, c.rooms_due, c.rooms_cleared, c.deposits,
            c.deposit_mismatches, c.keeper_checks, c.keeper_mismatches, c.inspections,
            c.households, c.households_depositing))])
    return _table([Paragraph(h, _style(7)) for h in head], body,
                  [32 * mm] + [(267 * mm - 32 * mm) / 11] * 11, 1)


def _style(size: float, leading: float | None = None) -> ParagraphStyle:
    return ParagraphStyle("b", fontName=_font(), fontSize=size, leading=leading or size * 1.3,
                          wordWrap="CJK")


def render(found: dict, names: Mapping[str, str]) -> bytes:
    """The bulletin of the month in ``found`` (``assessment.assess`` of a month), as PDF."""
    out = io.BytesIO()
    month = format_date(found["first"], "yyyy-MM")
    title = _("Monthly assessment bulletin %(month)s", month=month)
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=15 * mm,
                            rightMargin=15 * mm, topMargin=14 * mm, bottomMargin=14 * mm,
                            title=title, author=_("Custody"))
    weights = "，".join(f"{names[k]} {w:g}" for k, w in found["weights"].items() if w)
    story = [
        Paragraph(title, _style(16)), Spacer(1, 3 * mm),
        Paragraph(_("%(first)s to %(last)s. Composite: weighted mean of the rates, each at "
                    "most 100%%; weights: %(weights)s.", first=format_date(found["first"]),
                    last=format_date(found["last"]), weights=weights), _style(9)),
        *([] if found["recorded"] else [Spacer(1, 3 * mm), Paragraph(
            _("Nothing was recorded in this period, so nothing is ranked: choose another "
              "period."), _style(11))]),
        Spacer(1, 4 * mm), Paragraph(_("Towns"), _style(12)), Spacer(1, 2 * mm),
        _places(found["towns"], names, False), Spacer(1, 5 * mm),
        Paragraph(_("Villages"), _style(12)), Spacer(1, 2 * mm),
        _places(found["villages"], names, True), Spacer(1, 5 * mm),
        Paragraph(_("Each village's figures"), _style(12)), Spacer(1, 2 * mm),
        _figures(found["villages"]), Spacer(1, 5 * mm),
        Paragraph(_("Collectors"), _style(12)), Spacer(1, 2 * mm),
        _people(found["collectors"], _("Booths picked up"), _("Booths due")),
        Spacer(1, 5 * mm), Paragraph(_("Inspectors"), _style(12)), Spacer(1, 2 * mm),
        _people(found["inspectors"], _("Inspections"), _("Booths to inspect")),
    ]
    doc.build(story)
    return out.getvalue()
