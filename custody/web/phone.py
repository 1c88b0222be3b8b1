"""Phone pages: one page per field role to photograph a handover, and the offline shell."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Blueprint, jsonify, redirect, render_template, send_from_directory, url_for

from custody.domain.model import CATEGORY_NAMES_ZH, Category, Role
from custody.web.access import csrf_token, current_principal
from custody.web.public import ACTION_NAMES

bp = Blueprint("phone", __name__, url_prefix="/phone")

STATIC = Path(__file__).parent / "static" / "phone"


@dataclass(frozen=True)
class Task:
    """One thing a phone user photographs: the API action and what the page asks for."""

    id: str
    action: str
    zh: str
    en: str
    hint_zh: str
    hint_en: str
    weight: str = "optional"  # 'optional' | 'required' | 'none'
    category: bool = False
    note: bool = False


TASKS = {t.id: t for t in [
    Task("deposit", "deposit", "投放", "Deposit",
         "拍下垃圾袋和垃圾桶的二维码", "Photograph the bag's and the bin's codes", category=True),
    Task("collect", "collect", "收集", "Collect a bin",
         "拍下垃圾桶和收集车的二维码", "Photograph the bin's and the cart's codes", category=True),
    Task("unload", "unload", "卸车到中转房", "Unload at a transfer room",
         "拍下收集车和中转房的二维码", "Photograph the cart's and the transfer room's codes"),
    Task("load", "load", "清运中转房", "Clear a transfer room",
         "拍下中转房和清运车的二维码，以及清空后的中转房",
         "Photograph the room's and the truck's codes and the emptied room"),
    Task("deliver", "deliver", "送达处理厂", "Deliver to a facility",
         "拍下清运车和处理厂的二维码", "Photograph the truck's and the facility's codes"),
    Task("receive", "deliver", "接收（地磅称重）", "Receive a load (weighbridge)",
         "填写地磅净重，再拍下清运车和处理厂的二维码",
         "Enter the weighbridge net weight, then photograph the truck's and the facility's codes",
         weight="required"),
    Task("inspect", "inspect", "检查", "Inspect",
         "拍下被检查的袋子或桶的二维码，并写明问题",
         "Photograph the codes of the bags or bins you checked and note what is wrong",
         weight="none", note=True),
]}

# Each field role's page: endpoint -> (roles that use it, title zh, title en, task ids).
PAGES = {
    "collector": ({Role.COLLECTOR}, "收集员", "Collector", ["deposit", "collect", "unload"]),
    "driver": ({Role.DRIVER}, "清运员", "Driver", ["load", "deliver", "unload"]),
    "operator": ({Role.FACILITY_OPERATOR}, "处理厂过磅员", "Facility operator", ["receive"]),
    "keeper": ({Role.BOOTH_KEEPER}, "亭长", "Booth keeper", ["inspect"]),
}
HOME_OF = {role: page for page, (roles, *_) in PAGES.items() for role in roles}

FLAG_TEXT = {
    "category_mismatch": ("分类不符：垃圾类别与容器类别不一致",
                          "Category mismatch: the waste's category differs from the container's"),
    "off_path": ("路径异常：这一步不符合正常的清运路线",
                 "Off path: this move is not on the normal route"),
    "after_terminal": ("已送达后又出现：该标签在送达处理厂后再次被扫描",
                       "Seen after delivery: this code was scanned after reaching a facility"),
    "impossible_travel": ("移动过快：与上次扫描的距离和时间不可能",
                          "Impossible travel: too far from the last scan for the time between"),
    "unknown_origin": ("来源不明：容器此前没有收到过垃圾的记录",
                       "Unknown origin: nothing was recorded going into this container"),
    "photo_time_mismatch": ("照片时间不符：相机时间与手机时间相差太多",
                            "Photo time mismatch: the camera's clock differs from the phone's"),
    "photo_place_mismatch": ("照片地点不符：照片的定位与所报地点相距太远",
                             "Photo place mismatch: the photo's GPS is far from the place"),
    "reused_photo": ("照片重复使用：这张照片已作为其他扫描的凭证",
                     "Reused photo: this photo was already evidence for another scan"),
}
CATEGORIES = [(c.value, CATEGORY_NAMES_ZH[c], c.value) for c in Category]


@bp.get("")
def home():
    """Send each signed-in user to their own page (supervisors to the PC pages)."""
    page = HOME_OF.get(current_principal().role)
    if page is None:
        return redirect(url_for("supervise.overview"))
    return redirect(url_for(f"phone.{page}"))


def _render(page: str):
    """The scan page of one field role."""
    _roles, title_zh, title_en, task_ids = PAGES[page]
    return render_template("phone/scan.html", page=page, title_zh=title_zh, title_en=title_en,
                           tasks=[TASKS[t] for t in task_ids], categories=CATEGORIES,
                           config={"tasks": {t: asdict(TASKS[t]) for t in task_ids},
                                   "flags": FLAG_TEXT, "actions": ACTION_NAMES,
                                   "user": current_principal().name,
                                   "sessionUrl": url_for("phone.session_info"),
                                   "scanUrl": url_for("scans.create_scan"),
                                   "swUrl": url_for("phone.service_worker"),
                                   "loginUrl": url_for("auth.login", next=url_for("phone.home"))})


@bp.get("/collect")
def collector():
    """The collector's page: deposit, collect, unload."""
    return _render("collector")


@bp.get("/drive")
def driver():
    """The driver's page: clear a transfer room, deliver, unload a cart."""
    return _render("driver")


@bp.get("/receive")
def operator():
    """The facility operator's page: receive a load with the weighbridge weight."""
    return _render("operator")


@bp.get("/inspect")
def keeper():
    """The booth keeper's page: inspect bags and bins."""
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
