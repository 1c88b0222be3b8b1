"""What each error code says to a person, in the catalog's words (one entry per code).

API answers keep their machine ``code`` and carry ``message`` in the request's
language, looked up here when the answer is sent: a stored scan answer replayed
later is translated the same way. Codes raised by the services (scans, accounts,
custody rules) are listed here too, including those of issue 13's field rules.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

ERRORS = {
    # HTTP
    "bad_request": _l("The request is not valid."),
    "not_found": _l("There is no such page or record."),
    "method_not_allowed": _l("This page does not accept that kind of request."),
    "request_entity_too_large": _l("The upload is too large."),
    "unsupported_media_type": _l("Send the data in the format this address expects."),
    "internal_server_error": _l("Something went wrong on the server. Please try again."),
    # signing in and access
    "unauthorized": _l("Sign in, or send a device token."),
    "invalid_token": _l("This phone's token is not valid any more: enrol the phone again."),
    "forbidden": _l("Your role may not do this."),
    "role_not_allowed": _l("Your role may not record this action: it is not part of your "
                           "work. Ask your supervisor if it should be."),
    "csrf_failed": _l("The form has expired: reload the page and try again."),
    "unknown_actor": _l("There is no such user."),
    "unknown_village": _l("There is no village of that name."),
    "enrolment_unusable": _l("This enrolment code cannot be used: it is unknown, used or "
                             "expired."),
    "conflict": _l("This clashes with what is already recorded."),
    "unknown_device": _l("There is no such phone."),
    "enrol_refused": _l("This user's phone cannot be enrolled: is the user deactivated?"),
    "device_form": _l("Give a user name and a device name (at most 100 characters)."),
    "duplicate_user": _l("A user with this name already exists."),
    "bad_password": _l("The password is not acceptable."),
    # request checks (schemas)
    "invalid_request": _l("Some values are missing or not valid."),
    "bad_date": _l("A date must be a real day from 2000 to 2099, written like 2026-11-22."),
    "bad_range": _l("The start must not be after the end, and a range is at most "
                    "%(max_days)s days."),
    "bad_level": _l("Choose one of the report levels offered."),
    "bad_period": _l("Choose a day, a week, a month or a quarter."),
    "bad_month": _l("A month is written like 2026-11, from 2000 to 2099."),
    "idempotency_key_missing": _l("Send an Idempotency-Key header: a new value per scan, "
                                  "the same on every retry."),
    "idempotency_key_too_long": _l("The Idempotency-Key is too long (at most 100 characters)."),
    "photo_missing": _l("Attach the photo."),
    # scans
    "no_code": _l("No readable QR code in the photo: move closer, hold steady and "
                  "take it again."),
    "unreadable_photo": _l("No readable QR code in the photo: move closer, hold steady and "
                           "take it again."),
    "not_a_photo": _l("This is not a usable photo: take it again."),
    "no_valid_code": _l("The QR codes in the photo are not valid labels of this system."),
    "scan_not_understood": _l("The labels in the photo do not fit the chosen task: check "
                              "and take the photo again."),
    "ambiguous_weight": _l("One weight for several handovers: photograph one bag at a time "
                           "to weigh it, or leave the weight out."),
    "weight_required": _l("Enter the weighbridge net weight first."),
    "repeat_scan": _l("Already recorded: this scan repeats a recorded handover and counts "
                      "nothing."),
    "idempotency_conflict": _l("This scan's key was already used for a different photo: "
                               "take a new scan."),
    "invalid_handover": _l("This handover cannot be recorded: ask your supervisor."),
    "unknown_asset": _l("This code is genuine but the asset is not registered."),
    "duplicate_asset": _l("This asset is already registered."),
    "import_rejected": _l("Some rows are not valid: nothing was imported."),
    "too_many_attempts": _l("Too many failed attempts from here: try again in %(minutes)s "
                            "minute(s)."),
    # health, storage and the ledger's public proofs
    "storage_full": _l("The server's storage is full: nothing was saved this time and nothing "
                       "saved before is lost. Try again later (a phone keeps its photos and "
                       "sends them again by itself)."),
    "no_checkpoint": _l("No checkpoint of the ledger has been published yet."),
    "no_key": _l("No verifier key has been published yet."),
    "database_unreachable": _l("The database cannot be reached."),
    "schema_out_of_date": _l("The database needs upgrading: run custody init."),
    # labels
    "bad_count": _l("How many labels: a whole number from 1 to %(max_batch)s "
                    "(use the command line for more)."),
    "category_required": _l("Bags and bins need a category."),
    "reprint_what": _l("Name the labels to reprint: codes, a village or a kind."),
    "unknown_asset_list": _l("Not registered: %(ids)s"),
    "bad_code": _l("A code in the list is not a label of this system."),
    # the supervisor's desk
    "unknown_handover": _l("There is no handover with this number."),
    "not_flagged": _l("This handover has no flag to review."),
    "reason_required": _l("Give the reason (at most 2000 characters)."),
    "nothing_to_correct": _l("Give the right weight, the right category, or both."),
    "own_account": _l("You cannot change your own role or deactivate yourself here: ask "
                      "another administrator."),
}


# Placeholders a caller may not know (a domain error raised far from the web): the usual values.
DEFAULT_PARAMS = {"max_days": 400, "max_batch": 5000, "minutes": 15, "ids": "—"}


def message_in(lang: str, code: str, **params) -> str:
    """The message for ``code`` in ``lang``, whatever the request's language (the JSON's
    ``message_zh``, which phone pages show as they are, and its English ``detail``)."""
    with force_locale(lang):
        return message_for(code, **params)


def message_for(code: str, fallback: str | None = None, **params) -> str:
    """The message for ``code`` in the current language, else ``fallback``."""
    found = ERRORS.get(code)
    if found is None:
        return fallback or str(ERRORS["bad_request"])
    text = str(found)
    return text % {**DEFAULT_PARAMS, **params} if "%(" in text else text
