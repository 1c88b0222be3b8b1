"""How a phone's scan is answered: each outcome's HTTP status, its JSON, and its words.

The scan service (``custody.services.scans``) decides what a scan came to, a
``ScanRecorded`` or a ``ScanRefusal`` of an error from ``custody.domain.errors``;
this module alone turns that into the answer, which the service keeps with the
attempt so that a retry gets it again:

    ScanRecorded                  201 (it appended), 200 (it only repeated what is recorded)
    ScanRefusal of
      RoleNotAllowed              403  role_not_allowed    (with role, action, allowed)
      PhotoTooLarge               413  not_a_photo
      any other error             422  its code            (with the codes read, once read)

An error's ``message`` is a technical English detail (the request's language
replaces it when the answer is sent: ``custody.web.scans.translated``) and
``message_zh`` the Chinese words; both come from the catalogs, looked up without
Flask (``custody.web.catalogs``) so that the demo answers its scans in the same words.
"""

from __future__ import annotations

from custody.domain.errors import (
    AmbiguousWeight,
    DomainError,
    NoCode,
    NotAPhoto,
    NoValidCode,
    PhotoTooLarge,
    RoleNotAllowed,
    ScanNotUnderstood,
    UnreadablePhoto,
    WeightRequired,
    nearest,
)
from custody.domain.outcomes import ScanOutcome, ScanRecorded, ScanRefusal
from custody.web.catalogs import N_, catalog

RETAKE = N_("No readable QR code in the photo: move closer, hold steady and retake it.")
ASK_SUPERVISOR = N_("This cannot be recorded: ask your supervisor.")
# The Chinese words of each refusal (the class nearest in the error's lineage); the English
# ``message`` is the error's own detail, except where RETAKE says it better.
WORDS: dict[type[DomainError], str] = {
    RoleNotAllowed: N_("Your role may not record this action."),
    WeightRequired: N_("Enter the weighbridge net weight first."),
    UnreadablePhoto: RETAKE,
    NoCode: RETAKE,
    NotAPhoto: N_("This is not a usable photo: take it again."),
    NoValidCode: N_("The QR codes in the photo are not valid labels of this system."),
    ScanNotUnderstood: N_("The labels in the photo do not fit the chosen task: check and "
                          "take the photo again."),
    AmbiguousWeight: N_("One weight for several handovers: photograph one bag at a time to "
                        "weigh it, or leave the weight out."),
}
STATUS: dict[type[DomainError], int] = {RoleNotAllowed: 403, PhotoTooLarge: 413}
REFUSED = 422


def answer(outcome: ScanOutcome) -> tuple[int, dict]:
    """The status and JSON body a scan's outcome is answered with (without its scan id)."""
    if isinstance(outcome, ScanRecorded):
        return (201 if outcome.handovers else 200), recorded_body(outcome)
    return nearest(STATUS, outcome.error, REFUSED), {"error": refusal_error(outcome)}


def recorded_body(done: ScanRecorded) -> dict:
    """The answer of a scan that was understood: what was recorded, repeated, flagged, and
    the camera (EXIF) values left out as unusable."""
    return {
        "status": "recorded" if done.handovers else "repeat", "action": done.action.value,
        "photo_sha256": done.photo_sha256, "codes": done.codes, "flags": done.flags,
        "exif_ignored": done.exif_ignored,
        "handovers": [{"seq": r.seq, "hash": r.hash, "source": r.source, "dest": r.dest,
                       "action": r.action, "flags": list(r.flags),
                       "server_time": r.server_time.isoformat().replace("+00:00", "Z"),
                       **({"corrects_seq": r.corrects_seq} if r.corrects_seq else {})}
                      for r in done.handovers],
        "repeats": [{"source": r.source, "dest": r.dest, "repeat_of": r.repeat_of}
                    for r in done.repeats],
        "message": {lang: _recorded_words(lang, len(done.handovers), bool(done.flags))
                    for lang in ("zh", "en")},
    }


def _recorded_words(lang: str, count: int, flagged: bool) -> str:
    """'Recorded 2 handovers (with flags to check)', or the repeat's words.

    The catalogs hold no plural forms: one entry for one handover, one for more.
    """
    words = catalog(lang)
    if not count:
        return words.gettext("This handover is already recorded; it is counted once only.")
    if flagged:
        text = (words.gettext("Recorded %(num)d handover with flags to check") if count == 1
                else words.gettext("Recorded %(num)d handovers with flags to check"))
    else:
        text = (words.gettext("Recorded %(num)d handover") if count == 1
                else words.gettext("Recorded %(num)d handovers"))
    return text % {"num": count}


def refusal_error(refusal: ScanRefusal) -> dict:
    """The error of a refused scan: its code, its English detail and Chinese words, extras."""
    exc = refusal.error
    words = nearest(WORDS, exc, ASK_SUPERVISOR)
    message = str(exc)
    if words is RETAKE:
        english = catalog("en").gettext(RETAKE)
        message = f"{english} ({exc.kind})" if isinstance(exc, UnreadablePhoto) else english
    elif isinstance(exc, NotAPhoto):
        message = f"{exc} ({exc.kind})"
    error = {"code": exc.code, "message": message, "message_zh": catalog("zh").gettext(words)}
    if isinstance(exc, RoleNotAllowed):
        error.update(role=exc.role, action=exc.action, allowed=exc.allowed)
    if refusal.codes is not None and not isinstance(exc, NoCode):
        error["codes"] = refusal.codes
    return error

