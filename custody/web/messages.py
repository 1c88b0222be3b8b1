"""What each error code says to a person, in the catalog's words (one entry per code).

API answers keep their machine ``code`` and carry ``message`` in the request's
language, looked up here when the answer is sent: a stored scan answer replayed
later is translated the same way. The words are looked up in the catalogs by
``custody.web.catalogs``, in the request's language or in a given one. Codes raised
by the services (scans, accounts, custody rules) are listed here too, including
those of issue 13's field rules.
"""

from __future__ import annotations

from custody.web.catalogs import N_, say

ERRORS = {
    # HTTP
    "bad_request": N_("The request is not valid."),
    "not_found": N_("There is no such page or record."),
    "method_not_allowed": N_("This page does not accept that kind of request."),
    "request_entity_too_large": N_("The upload is too large."),
    "unsupported_media_type": N_("Send the data in the format this address expects."),
    "internal_server_error": N_("Something went wrong on the server. Please try again."),
    # signing in and access
    "unauthorized": N_("Sign in, or send a device token."),
    "invalid_token": N_("This phone's token is not valid any more: enrol the phone again."),
    "forbidden": N_("Your role may not do this."),
    "role_not_allowed": N_("Your role may not record this action: it is not part of your "
                           "work. Ask your supervisor if it should be."),
    "csrf_failed": N_("The form has expired: reload the page and try again."),
    "unknown_actor": N_("There is no such user."),
    "unknown_village": N_("There is no village of that name."),
    "enrolment_unusable": N_("This enrolment code cannot be used: it is unknown, used or "
                             "expired."),
    "conflict": N_("This clashes with what is already recorded."),
    "unknown_device": N_("There is no such phone."),
    "enrol_refused": N_("This user's phone cannot be enrolled: is the user deactivated?"),
    "device_form": N_("Give a user name and a device name (at most 100 characters)."),
    "duplicate_user": N_("A user with this name already exists."),
    "bad_password": N_("The password is not acceptable."),
    # request checks (schemas)
    "invalid_request": N_("Some values are missing or not valid."),
    "bad_date": N_("A date must be a real day from 2000 to 2099, written like 2026-11-22."),
    "bad_range": N_("The start must not be after the end, and a range is at most "
                    "%(max_days)s days."),
    "bad_level": N_("Choose one of the report levels offered."),
    "bad_period": N_("Choose a day, a week, a month or a quarter."),
    "bad_month": N_("A month is written like 2026-11, from 2000 to 2099."),
    "idempotency_key_missing": N_("Send an Idempotency-Key header: a new value per scan, "
                                  "the same on every retry."),
    "idempotency_key_too_long": N_("The Idempotency-Key is too long (at most 100 characters)."),
    "photo_missing": N_("Attach the photo."),
    # scans
    "no_code": N_("No readable QR code in the photo: move closer, hold steady and "
                  "take it again."),
    "unreadable_photo": N_("No readable QR code in the photo: move closer, hold steady and "
                           "take it again."),
    "not_a_photo": N_("This is not a usable photo: take it again."),
    "no_valid_code": N_("The QR codes in the photo are not valid labels of this system."),
    "scan_not_understood": N_("The labels in the photo do not fit the chosen task: check "
                              "and take the photo again."),
    "ambiguous_weight": N_("One weight for several handovers: photograph one bag at a time "
                           "to weigh it, or leave the weight out."),
    "weight_required": N_("Enter the weighbridge net weight first."),
    "repeat_scan": N_("Already recorded: this scan repeats a recorded handover and counts "
                      "nothing."),
    "idempotency_conflict": N_("This scan's key was already used for a different photo: "
                               "take a new scan."),
    "invalid_handover": N_("This handover cannot be recorded: ask your supervisor."),
    "unknown_asset": N_("This code is genuine but the asset is not registered."),
    "duplicate_asset": N_("This asset is already registered."),
    "import_rejected": N_("Some rows are not valid: nothing was imported."),
    "too_many_attempts": N_("Too many failed attempts from here: try again in %(minutes)s "
                            "minute(s)."),
    # health, storage and the ledger's public proofs
    "storage_full": N_("The server's storage is full: nothing was saved this time and nothing "
                       "saved before is lost. Try again later (a phone keeps its photos and "
                       "sends them again by itself)."),
    "no_checkpoint": N_("No checkpoint of the ledger has been published yet."),
    "no_key": N_("No verifier key has been published yet."),
    "database_unreachable": N_("The database cannot be reached."),
    "schema_out_of_date": N_("The database needs upgrading: run custody init."),
    # labels
    "bad_count": N_("How many labels: a whole number from 1 to %(max_batch)s "
                    "(use the command line for more)."),
    "category_required": N_("Bags and bins need a category."),
    "reprint_what": N_("Name the labels to reprint: codes, a village or a kind."),
    "unknown_asset_list": N_("Not registered: %(ids)s"),
    "bad_code": N_("A code in the list is not a label of this system."),
    # the supervisor's desk
    "unknown_handover": N_("There is no handover with this number."),
    "not_flagged": N_("This handover has no flag to review."),
    "reason_required": N_("Give the reason (at most 2000 characters)."),
    "nothing_to_correct": N_("Give the right weight, the right category, or both."),
    "own_account": N_("You cannot change your own role or deactivate yourself here: ask "
                      "another administrator."),
}


# Placeholders a caller may not know (a domain error raised far from the web): the usual values.
DEFAULT_PARAMS = {"max_days": 400, "max_batch": 5000, "minutes": 15, "ids": "—"}


def message_in(lang: str, code: str, **params) -> str:
    """The message for ``code`` in ``lang``, whatever the request's language (the JSON's
    ``message_zh``, which phone pages show as they are, and its English ``detail``)."""
    found = ERRORS.get(code, ERRORS["bad_request"])
    return say(lang, found, **{**DEFAULT_PARAMS, **params}) if "%(" in found else say(lang, found)


def words_in(lang: str) -> dict[str, str]:
    """Every code's words in ``lang``, placeholders left for the page's script to fill."""
    return {code: say(lang, text) for code, text in ERRORS.items()}


def message_for(code: str, fallback: str | None = None, **params) -> str:
    """The message for ``code`` in the current language, else ``fallback``."""
    from custody.web.i18n import lang  # the request's language (Flask-Babel)

    if code not in ERRORS and fallback:
        return fallback
    return message_in(lang(), code, **params)
