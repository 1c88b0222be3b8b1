"""The one table of Custody's words: every identifier a user may meet, with its names.

Each term has a stable identifier (used in code, APIs and the database), a name and
an optional longer description in Simplified Chinese (the default language) and in
English. Pages pick the name of the reader's language from here; labels print both.
No module outside this one spells these names.

Colours of the four categories follow GB/T 19095-2019 *Signs for classification of
municipal solid waste* (生活垃圾分类标志), chapter 5, design of the major-category signs
(大类标志的设计: layout, size and colour scheme): recyclables (可回收物) blue, hazardous
waste (有害垃圾) red, kitchen waste (厨余垃圾) green, other waste (其他垃圾) grey.
The blue and the grey are the sRGB readings of the PANTONE references given for them
(647 C and 5477 C); the green and the red are sRGB readings of PANTONE 347 C and
485 C, the usual references for those hues. Check them against the printed standard
before ordering bins or vehicle livery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

LANGS: tuple[str, ...] = ("zh", "en")
DEFAULT_LANG = "zh"


@dataclass(frozen=True, slots=True)
class Term:
    """One identifier and what people call it, in each language."""

    id: str
    zh: str
    en: str
    zh_detail: str = ""
    en_detail: str = ""
    colour: str | None = None  # sRGB "#RRGGBB", for the terms that have one

    def name(self, lang: str) -> str:
        """The name in ``lang`` ('zh' or 'en')."""
        return self.en if lang == "en" else self.zh

    def detail(self, lang: str) -> str:
        """The longer description in ``lang``, or the name when there is none."""
        text = self.en_detail if lang == "en" else self.zh_detail
        return text or self.name(lang)


def _table(*terms: Term) -> Mapping[str, Term]:
    """Terms by identifier, read-only, in the order given."""
    return MappingProxyType({t.id: t for t in terms})


CATEGORIES = _table(
    Term("kitchen", "厨余垃圾", "Kitchen waste", colour="#009A44"),
    Term("recyclable", "可回收物", "Recyclables", colour="#236192"),
    Term("hazardous", "有害垃圾", "Hazardous waste", colour="#DA291C"),
    Term("other", "其他垃圾", "Other waste", colour="#3E5D58"),
)
NEUTRAL_COLOUR = "#000000"  # fixed assets: never a category colour

ASSET_KINDS = _table(
    Term("bag", "垃圾袋", "Bag"),
    Term("bin", "垃圾桶", "Bin"),
    Term("booth", "投放亭", "Drop-off booth"),
    Term("transfer_room", "中转房", "Transfer room"),
    Term("vehicle", "车辆", "Vehicle"),
    Term("facility", "处理设施", "Treatment facility"),
)

ACTIONS = _table(
    Term("deposit", "投放", "Deposit", "投放到垃圾桶", "Deposited in a bin"),
    Term("collect", "收集", "Collect", "收集车收运", "Collected by a cart"),
    Term("unload", "卸车", "Unload", "卸入中转房", "Unloaded at a transfer room"),
    Term("load", "装车", "Load", "装上清运车", "Loaded onto a truck"),
    Term("deliver", "送达", "Deliver", "运抵处理设施", "Delivered to a treatment facility"),
    Term("inspect", "检查", "Inspect", "亭长检查", "Inspected"),
)

ROLES = _table(
    Term("collector", "收集员", "Collector"),
    Term("booth_keeper", "亭长", "Booth keeper"),
    Term("driver", "清运员", "Driver"),
    Term("facility_operator", "处理厂过磅员", "Weighbridge operator"),
    Term("supervisor", "主管", "Supervisor"),
    Term("admin", "管理员", "Administrator"),
)

FLAGS = _table(
    Term("category_mismatch", "分类不符", "Category mismatch",
         "垃圾类别与容器类别不一致", "The waste's category differs from the container's"),
    Term("off_path", "路径异常", "Off the usual path",
         "这一步不符合正常的清运路线", "This move is not on the normal route"),
    Term("after_terminal", "送达后又出现", "Seen after delivery",
         "该标签在送达处理厂后再次被扫描", "This code was scanned after reaching a facility"),
    Term("impossible_travel", "移动过快", "Impossible travel",
         "与上次扫描的距离和时间不可能", "Too far from the last scan for the time between"),
    Term("unknown_origin", "来源不明", "Unknown origin",
         "容器此前没有收到过垃圾的记录", "Nothing was recorded going into this container"),
    Term("photo_time_mismatch", "照片时间不符", "Photo time mismatch",
         "相机时间与手机时间相差太多", "The camera's clock differs from the phone's"),
    Term("photo_place_mismatch", "照片地点不符", "Photo place mismatch",
         "照片的定位与所报地点相距太远", "The photo's GPS is far from the place"),
    Term("photo_metadata_unusable", "照片信息异常", "Unusable photo metadata",
         "相机记录的时间或定位不可能成立，已忽略，无法核对",
         "The camera recorded an impossible time or place: ignored, so it could not be checked"),
    Term("reused_photo", "照片重复使用", "Reused photo",
         "这张照片已作为其他扫描的凭证", "This photo was already evidence for another scan"),
    Term("repeat_scan", "重复扫描", "Repeated scan",
         "与当前状态相同，不重复计量", "Same as the current state: counted once only"),
    Term("mixed_load", "混装", "Mixed load",
         "分类运输车辆装了其他类别", "A vehicle for one category took another category"),
    Term("bag_reused", "袋子重复投放", "Bag used again",
         "这个袋子已投放到另一个桶：只计一次",
         "This bag was already put in another bin: it counts once"),
    Term("late_upload", "补传晚于清运", "Sent after emptying",
         "扫描时间早于容器被清运，但在清运后才上传：这袋垃圾可能已随车运走",
         "Taken before the container was emptied but sent after: the waste may have left "
         "with that load"),
    Term("phone_clock_wrong", "手机时间错误", "Phone clock wrong",
         "手机时间不可能（在服务器收到之后或太久以前），已按服务器收到时间记录",
         "The phone's time is impossible (after the server received it, or too long ago): "
         "recorded at the time received"),
)

REVIEW_DECISIONS = _table(
    Term("confirm", "确认", "Confirm", "确认这是问题", "Confirm it is a problem"),
    Term("dismiss", "驳回", "Dismiss", "不是问题（需写明理由）", "Not a problem (give a reason)"),
    Term("correct", "更正", "Correct",
         "记录有误，追加更正记录", "Wrong record: append a correction"),
)

REPORT_LEVELS = _table(
    Term("district", "区", "District"),
    Term("town", "镇（街道）", "Town"),
    Term("village", "村", "Village"),
    Term("booth", "投放亭", "Drop-off booth"),
    Term("transfer_room", "中转房", "Transfer room"),
    Term("facility", "处理设施", "Treatment facility"),
)

# The details say plainly, for a resident, what happens to waste at such a facility.
TREATMENT_KINDS = _table(
    Term("composting", "堆肥", "Composting",
         "在这里堆肥：厨余垃圾经过发酵，变成改良土壤的有机肥。",
         "It is composted here: the kitchen waste is fermented into compost that "
         "feeds the soil."),
    Term("recycling", "资源回收利用", "Recycling",
         "在这里分拣回收：纸、塑料、金属、玻璃等材料被重新利用，做成新产品。",
         "It is sorted and recycled here: paper, plastic, metal and glass are made "
         "into new products."),
    Term("incineration", "焚烧发电", "Incineration",
         "在这里焚烧发电：垃圾燃烧产生电力，烟气经过净化后才排放。",
         "It is burned here to make electricity; the smoke is cleaned before it is "
         "released."),
    Term("landfill", "卫生填埋", "Landfill",
         "在这里卫生填埋：垃圾被压实，埋入有防渗层并每天覆盖的填埋场。",
         "It is buried here in a lined landfill, pressed down and covered every day."),
    Term("hazardous_treatment", "有害垃圾处置", "Hazardous waste treatment",
         "在这里按危险废物的规定安全处置，有害物质不会进入土壤和水。",
         "It is made safe here under the rules for hazardous waste, so nothing harmful "
         "reaches the soil or water."),
)

TABLES: Mapping[str, Mapping[str, Term]] = MappingProxyType({
    "category": CATEGORIES,
    "asset_kind": ASSET_KINDS,
    "action": ACTIONS,
    "role": ROLES,
    "flag": FLAGS,
    "review_decision": REVIEW_DECISIONS,
    "report_level": REPORT_LEVELS,
    "treatment_kind": TREATMENT_KINDS,
})


def name(table: str, identifier: str | None, lang: str) -> str:
    """What ``lang`` calls an identifier of a table; '' for none; the id itself if unknown."""
    if not identifier:
        return ""
    term = TABLES[table].get(identifier)
    return term.name(lang) if term else identifier


def category_colours() -> dict[str, str]:
    """The palette: category id -> sRGB colour, in the table's order."""
    return {c.id: c.colour for c in CATEGORIES.values() if c.colour}
