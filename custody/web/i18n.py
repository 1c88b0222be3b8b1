"""One language at a time: which one a request gets, the switch on every page, and formats.

The language is the one the reader chose with the switch (kept in a cookie for a
year), else the best of ``Accept-Language``, else Chinese. Words come from the
gettext catalogs under ``custody/translations`` (Flask-Babel), the names of
identifiers (categories, flags, roles ...) from the ``vocabulary`` table. Dates,
numbers and weights are formatted by Babel for the language, in Beijing time.
"""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, Flask, redirect, request, url_for
from flask_babel import Babel, format_date, format_datetime, format_decimal, get_locale

import vocabulary
from custody.web import names
from custody.web.catalogs import TRANSLATIONS

bp = Blueprint("i18n", __name__)

COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600
LANGUAGE_NAMES = {"zh": "中文", "en": "English"}  # each in its own language, for the switch


def select_language() -> str:
    """The request's language: the switch's cookie, else Accept-Language, else Chinese."""
    chosen = request.cookies.get(COOKIE)
    if chosen in vocabulary.LANGS:
        return chosen
    return request.accept_languages.best_match(vocabulary.LANGS) or vocabulary.DEFAULT_LANG


def lang() -> str:
    """The current request's language code ('zh' or 'en')."""
    locale = get_locale()
    return locale.language if locale is not None else vocabulary.DEFAULT_LANG


@bp.get("/lang/<code>")
def switch(code: str):
    """Remember the reader's language and go back to the page they were on."""
    from custody.web.auth import _safe_next  # the sign-in page's rule: never another site

    response = redirect(_safe_next(request.args.get("next")) or url_for("public.home"),
                        code=303)
    if code in vocabulary.LANGS:
        response.set_cookie(COOKIE, code, max_age=COOKIE_MAX_AGE, samesite="Lax",
                            httponly=True)
    return response


def term(table: str, identifier: str | None) -> str:
    """The current language's name of an identifier (``vocabulary``)."""
    return vocabulary.name(table, identifier, lang())


def term_detail(table: str, identifier: str | None) -> str:
    """The current language's longer description of an identifier."""
    found = vocabulary.TABLES[table].get(identifier or "")
    return found.detail(lang()) if found else (identifier or "")


def rounded(value: float, digits: int = 1) -> float:
    """``value`` rounded to ``digits`` decimals, never a negative zero (-0.04 -> 0.0)."""
    return round(value, digits) + 0.0  # -0.0 + 0.0 is 0.0


def figure(value: float | None, digits: int = 1) -> str:
    """A number for people, per locale, never '-0.0': '1,234.5'."""
    if value is None:
        return ""
    return format_decimal(rounded(value, digits),
                          format=f"#,##0.{'0' * digits}" if digits else "#,##0")


def percent(share: float | None, digits: int = 1) -> str:
    """A share (0–1) as a percentage for people: '12.5 %', never '-0.0 %'."""
    return "" if share is None else f"{figure(share * 100, digits)} %"


def kg(value: float | None, digits: int = 1) -> str:
    """A weight for people, per locale: '1,234.5 kg' / '1,234.5 公斤'."""
    from flask_babel import gettext

    if value is None:
        return ""
    return gettext("%(number)s kg", number=figure(value, digits))


def weight(value: float | None) -> str:
    """A weight in the unit people read it in: kilograms below a tonne, tonnes above."""
    from flask_babel import gettext

    if value is None:
        return ""
    if abs(rounded(value)) >= 1000:
        return gettext("%(number)s t", number=figure(value / 1000, 2))
    return kg(value)


def local_time(value: datetime | str | None, width: str = "medium") -> str:
    """A stored instant (aware datetime or ISO 8601 text) in Beijing time, per locale.

    Every time the service stores is UTC; a time without a zone is refused
    rather than shown eight hours off.
    """
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        raise ValueError(f"time without a zone: {value!r}")
    return format_datetime(moment, width)


def local_date(value: date | None, width: str = "medium") -> str:
    """A day, per locale."""
    return format_date(value, width) if value else ""


def switch_links() -> list[tuple[str, str, str, bool]]:
    """(code, name, url, is current) for each language, back to this page."""
    here = request.full_path.rstrip("?") if request else "/"
    return [(code, LANGUAGE_NAMES[code], url_for("i18n.switch", code=code, next=here),
             code == lang()) for code in vocabulary.LANGS]


def init_app(app: Flask) -> None:
    """Flask-Babel with Chinese by default, Beijing time, and the template helpers."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", vocabulary.DEFAULT_LANG)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Asia/Shanghai")
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS))
    Babel(app, locale_selector=select_language)
    app.register_blueprint(bp)
    app.jinja_env.globals.update(term=term, term_detail=term_detail, lang=lang,
                                 switch_links=switch_links)
    app.add_template_filter(kg)
    app.add_template_filter(figure)
    app.add_template_filter(names.name)
    app.add_template_filter(names.spaced)
    app.add_template_filter(percent)
    app.add_template_filter(weight)
    app.add_template_filter(local_time)
    app.add_template_filter(local_date)

    @app.after_request
    def _vary(response):
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
        return response
