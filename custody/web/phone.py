"""Phone pages: one page per field role to photograph a handover, and the offline shell.

Everything the page's script says comes from the server in the page's language
(``config.text``, ``config.errors``, ``config.flags``), so the script holds no words.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import lazy_gettext as _l

import vocabulary
from custody.domain.model import KIND_LETTERS, Action, Role
from custody.domain.scans import ACTION_DEST, ACTION_SOURCE
from custody.web.access import csrf_token, current_principal
from custody.web.enrolment import STORAGE_KEY
from custody.web.i18n import lang, term
from custody.web.messages import words_in

bp = Blueprint("phone", __name__, url_prefix="/phone")
MAX_WEIGHT_KG = 100_000  # as the scan API's form (custody.web.scan_schemas.ScanForm)

STATIC = Path(__file__).parent / "static" / "phone"


@dataclass(frozen=True)
class Task:
    """One thing a phone user photographs: the API action and what the page asks for."""

    id: str
    action: str
    title: str
    hint: str
    weight: str = "optional"  # 'optional' | 'required' | 'none'
    category: bool = False
    note: bool = False

    def as_config(self) -> dict:
        """The task as the page's script reads it, in the current language."""
        return {"id": self.id, "action": self.action, "title": str(self.title),
                "hint": str(self.hint), "weight": self.weight, "category": self.category,
                "note": self.note}


TASKS = {t.id: t for t in [
    Task("deposit", "deposit", _l("Deposit"), _l("Photograph the bag's and the bin's codes"),
         category=True),
    Task("collect", "collect", _l("Collect a bin"),
         _l("Photograph the bin's and the cart's codes"), category=True),
    Task("unload", "unload", _l("Unload at a transfer room"),
         _l("Photograph the cart's and the transfer room's codes")),
    Task("load", "load", _l("Clear a transfer room"),
         _l("Photograph the room's and the truck's codes and the emptied room")),
    Task("deliver", "deliver", _l("Deliver to a facility"),
         _l("Photograph the truck's and the facility's codes")),
    Task("receive", "deliver", _l("Weigh and receive a load"),
         _l("Enter the weighbridge net weight, then photograph the truck's and the "
            "facility's codes"), weight="required"),
    # An inspection that finds the wrong waste says which category it found: that is what
    # flags the bag or bin (category_mismatch) and counts in the sorting accuracy.
    Task("inspect", "inspect", _l("Inspect"),
         _l("Photograph the codes of the bags or bins you checked; if you found waste of "
            "another category, choose that category and note what is wrong"),
         weight="none", category=True, note=True),
]}

# Each field role's page: endpoint -> (the role that uses it, task ids). A page offers every
# action custody.domain.policy allows its role, no more (tests/custody/test_phone.py checks it).
PAGES = {
    "collector": (Role.COLLECTOR, ["deposit", "collect", "unload", "inspect"]),
    "driver": (Role.DRIVER, ["load", "deliver", "unload"]),
    "operator": (Role.FACILITY_OPERATOR, ["receive", "inspect"]),
    "keeper": (Role.BOOTH_KEEPER, ["deposit", "inspect"]),
}
HOME_OF = {role: page for page, (role, _tasks) in PAGES.items()}

# What the page's script says, by key (the script has no words of its own).
SCRIPT_TEXT = {
    "online": _l("Online"),
    "offline": _l("Offline"),
    "noGpsDevice": _l("No GPS on this phone"),
    "gpsFix": _l("GPS ±%(metres)s m"),
    "noGps": _l("No GPS: the scan is sent without it"),
    "weightRequired": _l("(required)"),
    "weightOptional": _l("(optional)"),
    "saved": _l("Saved on the phone, not sent yet"),
    "savedNote": _l("There is no signal: the scan is kept and sent by itself when the "
                    "signal returns."),
    "slowNote": _l("The signal is weak: the scan is kept on the phone and is being sent. "
                   "You can go on; the answer appears in today's scans."),
    "recorded": _l("Recorded"),
    "recordedCount": _l("%(count)s handover(s) recorded."),
    "recordedFlags": _l("%(count)s handover(s) recorded, with flags to check."),
    "notRecorded": _l("Not recorded"),
    "keepFailed": _l("Could not keep the photo: try again."),
    "phoneFull": _l("The phone's storage is full, so the photo was not kept: free some space "
                    "(old photos, videos or apps), then take it again."),
    "tooLarge": _l("This photo is too large to send and was not kept: take it again."),
    "needWeight": _l("Enter the weighbridge net weight first."),
    "weightNumber": _l("The weight must be a number."),
    "weightRange": _l("The weight is at most 100,000 kg: check the number."),
    "httpError": _l("The server answered with an error (%(status)s)."),
    "seen": _l("In the photo: %(assets)s."),
    "missingKinds": _l("The photo does not show the code of: %(kinds)s."),
    "listJoin": _l(", "),
    "handoverLine": _l("%(action)s: %(source)s → %(dest)s"),
    "inspectedLine": _l("%(action)s: %(asset)s"),
    "flagLine": _l("%(flag)s: %(detail)s"),
    "flaggedLine": _l("To be checked: %(flags)s"),
    "repeatLine": _l("Already recorded: %(source)s → %(dest)s"),
    "weightLine": _l("Weight entered: %(kg)s kg"),
    "repeatTitle": _l("Already recorded"),
    "refusedAlert": _l("%(count)s scan(s) not recorded: tap to fix, retake or discard."),
    "refusedAlertOne": _l("1 scan not recorded: tap to fix, retake or discard."),
    "stateSent": _l("Recorded"),
    "stateQueued": _l("Waiting to send"),
    "stateRefused": _l("Not recorded"),
    "fixOpen": _l("Fix, retake or discard"),
    "discardConfirm": _l("Discard this scan and its photo? It was not recorded."),
    "vfReady": _l("All the codes this task needs are in view: hold still, the photo is taken."),
    "vfLooking": _l("Point the camera at the codes this task needs."),
    "vfNoCamera": _l("The camera cannot be opened: use the photo button below."),
    "vfNoDecoder": _l("This phone cannot read codes live: take the photo, the server reads it."),
}


# Where the phone says more than the API's words: what a person in the field should do next.
PHONE_ERRORS = {
    "no_valid_code": _l("The codes in the photo are not labels of this district (or not "
                        "registered yet): check that you photographed the right bag, bin or "
                        "vehicle; if so, ask your supervisor."),
    "request_entity_too_large": _l("The photo is too large to send: take it again."),
}


def _viewfinder() -> dict:
    """What the live viewfinder needs: its decoder's files, the kinds' names by the letter that
    starts an asset id, and the kinds of code each task needs in the photo."""
    needs = {t.id: ([] if t.action == "inspect" else
                    [KIND_LETTERS[ACTION_SOURCE[Action(t.action)]],
                     KIND_LETTERS[ACTION_DEST[Action(t.action)]]]) for t in TASKS.values()}
    return {"zxingJs": url_for("static", filename="phone/vendor/zxing-wasm/zxing-reader.js"),
            "zxingWasm": url_for("static", filename="phone/vendor/zxing-wasm/zxing_reader.wasm"),
            "kinds": {letter: term("asset_kind", kind.value)
                      for kind, letter in KIND_LETTERS.items()},
            "needs": needs}


@bp.get("")
def home():
    """Send each signed-in user to their own page (supervisors to the PC pages)."""
    page = HOME_OF.get(current_principal().role)
    if page is None:
        return redirect(url_for("supervise.overview"))
    return redirect(url_for(f"phone.{page}"))


def _render(page: str):
    """The scan page of one field role, in the reader's language."""
    role, task_ids = PAGES[page]
    tasks = [TASKS[t] for t in task_ids]
    config = {"lang": lang(), "tasks": {t.id: t.as_config() for t in tasks},
              "text": {k: str(v) for k, v in SCRIPT_TEXT.items()},
              "errors": {**words_in(lang()),
                         **{code: str(text) for code, text in PHONE_ERRORS.items()}},
              # a photo the server would refuse as too large is not kept (room for the form)
              "maxWeightKg": MAX_WEIGHT_KG,
              "maxPhotoBytes": (current_app.config.get("MAX_CONTENT_LENGTH") or 2**30) - 65536,
              "flags": {f.id: f.detail(lang()) for f in vocabulary.FLAGS.values()},
              "flagNames": {f.id: f.name(lang()) for f in vocabulary.FLAGS.values()},
              "actions": {a.id: a.detail(lang()) for a in vocabulary.ACTIONS.values()},
              "user": current_principal().name,
              "sessionUrl": url_for("phone.session_info"),
              "storageKey": STORAGE_KEY,
              "viewfinder": _viewfinder(),
              "scanUrl": url_for("scans.create_scan"),
              "swUrl": url_for("phone.service_worker"),
              "loginUrl": url_for("auth.login", next=url_for("phone.home"))}
    return render_template("phone/scan.html", page=page, title=term("role", role.value),
                           tasks=tasks, config=config)


@bp.get("/collect")
def collector():
    """The collector's page: deposit, collect, unload, inspect."""
    return _render("collector")


@bp.get("/drive")
def driver():
    """The driver's page: clear a transfer room, deliver, unload a cart."""
    return _render("driver")


@bp.get("/receive")
def operator():
    """The facility operator's page: receive a load with the weighbridge weight, inspect."""
    return _render("operator")


@bp.get("/inspect")
def keeper():
    """The booth keeper's page: a household's bag into its bin (deposit), inspect bags and bins."""
    return _render("keeper")


@bp.get("/session.json")
def session_info():
    """Who is signed in and the session's CSRF token, for queued uploads sent later."""
    principal = current_principal()
    response = jsonify(name=principal.name, role=principal.role, csrf_token=csrf_token())
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sw.js")
def service_worker():
    """The service worker, served under /phone/ so that it may control the phone pages."""
    response = send_from_directory(STATIC, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    return response
