"""What each container holds and what each move carries: the contents rules, in one place.

Containers are bins, vehicles and transfer rooms. Their *contents* are a few
categories, each with a weight in grams (0 when nothing that went in was
weighed), derived from the ledger's handovers in order. Each handover that
moves waste carries one or more *portions* (category, grams, estimated), and
the tonnage rollups count portions, never a bare weight.

1. **What a move takes.** A bag gives itself, once: one portion of the
   declared category, else the bag's registered category. A bag that already
   gave itself to another bin gives nothing more (flagged ``bag_reused``): one
   bag's waste is never counted in two bins. A container gives its
   contents: all of them, except when a transfer room loads a vehicle
   registered with a category (Nanhu transports by category: a kitchen truck
   takes only the room's kitchen waste; a village cart, registered with no
   category, takes everything). What is taken leaves the source whole.
2. **Declared categories are claims, contents are records.** A move that
   declares no category carries the source's contents, so nobody types what
   the system already knows. A declared category does not change what a
   container gives; one the taken contents do not hold is flagged
   ``category_mismatch``, never refused.
3. **Weight.** A weight measured at a move (a bin weighed at collection, the
   weighbridge net weight) is authoritative for that move: it replaces what
   the contents said. A measured total that covers several categories is
   split in proportion to the grams the contents hold (equally when none was
   weighed); the gram left by rounding goes to the largest part; each part is
   marked estimated. A move with no measured weight carries the grams the
   contents hold, marked estimated.
4. **Nothing recorded went in** (the rules flag ``unknown_origin``), or a
   category vehicle loads at a room holding none of its category: the move
   takes one portion of the declared category, else the source's registered
   category, else the destination's, else ``other``, weighing what was
   measured (0 if nothing).
5. **Where it goes.** The portions are added to the destination when it is a
   container (grams of a category add up). A facility keeps nothing: it is the
   end of the path.
6. **Mixed load.** A vehicle registered with a category that receives another
   category is flagged ``mixed_load`` (a cart with no category never is).
7. **Inspections** move nothing. **Corrections** change what the corrected
   record counts, not the contents derived since: a corrected category makes
   one portion of that category (of the corrected weight, else the record's
   total); a corrected weight alone is split over the record's portions in
   proportion, as in rule 3.
8. **One physical event, one count.** Every asset remembers to whom it last
   handed its waste (cleared when it receives waste again). A scanned move
   whose source already handed its waste to that destination repeats the
   current state (the bag is already in that bin; the truck already delivered
   this load here): it is kept as evidence (the scan attempt, flagged
   ``repeat_scan``), moves nothing and counts nothing. A weighbridge
   operator's weighed scan of a delivery not yet weighed at the weighbridge
   *confirms* it: it is appended as a correction of the delivery, so its
   weight becomes the delivered weight (the driver's estimate stays in its
   record) and the delivery still counts once. A photo already evidence for
   a recorded move adds no second move either (``reused_photo``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from custody.domain.model import Action, AssetInfo, AssetKind, Category, Flag, Role

Contents = dict[str, int]  # category -> grams


@dataclass(frozen=True)
class Portion:
    """The part of one category a move carries."""

    category: str
    grams: int
    estimated: bool = False  # split from a total, or carried: not weighed as such


@dataclass(frozen=True)
class Carry:
    """What a move carries, and the contents it leaves at both ends (None: not a container)."""

    portions: tuple[Portion, ...]
    source_after: Contents | None
    dest_after: Contents | None
    flags: tuple[str, ...] = ()


def is_container(kind: AssetKind) -> bool:
    """Bins, vehicles and transfer rooms hold waste between moves."""
    return kind in (AssetKind.BIN, AssetKind.VEHICLE, AssetKind.TRANSFER_ROOM)


def carry(*, action: Action | None, source: AssetInfo, dest: AssetInfo,
          source_contents: Mapping[str, int] | None, dest_contents: Mapping[str, int] | None,
          declared: str | None, weight_g: int | None, given: bool = False) -> Carry:
    """The portions a handover carries and the contents it leaves (rules 1 to 6).

    ``given``: the source is a bag that already gave itself (rule 1).
    """
    held = dict(source_contents or {})
    kept = dict(dest_contents or {}) if is_container(dest.kind) else None
    if action is Action.INSPECT:
        return Carry((), held if is_container(source.kind) else None, kept)
    flags: set[str] = set()
    if source.kind is AssetKind.BAG and given:
        flags.add(Flag.BAG_REUSED.value)
        portions = ()
    elif source.kind is AssetKind.BAG:
        category = declared or _value(source.category) or Category.OTHER.value
        portions = (Portion(category, weight_g or 0),)
    else:
        taken = _taken(held, source, dest) if is_container(source.kind) else {}
        if taken:
            if declared and declared not in taken:
                flags.add(Flag.CATEGORY_MISMATCH.value)
            portions = _weighed(taken, weight_g)
            for category in taken:
                del held[category]
        else:
            if held and is_container(source.kind):  # a category vehicle, none of its category
                flags.add(Flag.CATEGORY_MISMATCH.value)
            category = (declared or _value(source.category) or _value(dest.category)
                        or Category.OTHER.value)
            portions = (Portion(category, weight_g or 0),)
    if kept is not None:
        for p in portions:
            kept[p.category] = kept.get(p.category, 0) + p.grams
    if dest.kind is AssetKind.VEHICLE and dest.category is not None and any(
            p.category != dest.category.value for p in portions):
        flags.add(Flag.MIXED_LOAD.value)
    return Carry(portions, held if is_container(source.kind) else None, kept,
                 tuple(sorted(flags)))


def _value(category: Category | None) -> str | None:
    return category.value if category else None


def _taken(held: Contents, source: AssetInfo, dest: AssetInfo) -> Contents:
    """What a container gives (rule 1): all, or a category vehicle's category at a room."""
    if (source.kind is AssetKind.TRANSFER_ROOM and dest.kind is AssetKind.VEHICLE
            and dest.category is not None):
        wanted = dest.category.value
        return {wanted: held[wanted]} if wanted in held else {}
    return dict(held)


def _weighed(taken: Contents, weight_g: int | None) -> tuple[Portion, ...]:
    """The portions of what is taken, weighed by the move if it measured (rule 3)."""
    if weight_g is None:
        return tuple(Portion(c, g, estimated=True) for c, g in sorted(taken.items()))
    return split(weight_g, taken)


def split(total_g: int, shares: Mapping[str, int]) -> tuple[Portion, ...]:
    """A measured total split over categories in proportion to ``shares`` (rule 3).

    Integer grams that add up to ``total_g`` exactly; equal parts when every
    share is 0; one category gets the whole total, not estimated.
    """
    categories = sorted(shares)
    if len(categories) == 1:
        return (Portion(categories[0], total_g),)
    base = sum(shares.values())
    weights = {c: shares[c] for c in categories} if base else dict.fromkeys(categories, 1)
    base = base or len(categories)
    parts = {c: total_g * weights[c] // base for c in categories}
    largest = max(categories, key=lambda c: (weights[c], c))
    parts[largest] += total_g - sum(parts.values())
    return tuple(Portion(c, parts[c], estimated=True) for c in categories)


def corrected(portions: Iterable[Portion], weight_g: int | None,
              category: str | None) -> tuple[Portion, ...]:
    """A record's portions once corrections set a weight and/or a category (rule 7).

    ``None`` means no correction set it.
    """
    portions = tuple(portions)
    if category is not None:
        total = weight_g if weight_g is not None else sum(p.grams for p in portions)
        return (Portion(category, total, estimated=weight_g is None
                        and any(p.estimated for p in portions)),)
    if weight_g is not None and portions:
        shares: Contents = {}
        for p in portions:
            shares[p.category] = shares.get(p.category, 0) + p.grams
        return split(weight_g, shares)
    return portions


def repeats(handed_to: str | None, dest: str) -> bool:
    """The source already handed its waste to this destination (rule 8)."""
    return handed_to is not None and handed_to == dest


def confirms(action: Action | None, role: Role, weight_g: int | None,
             already_weighed: bool) -> bool:
    """A repeated delivery that is the weighbridge weighing of it (rule 8)."""
    return (action is Action.DELIVER and role is Role.FACILITY_OPERATOR
            and weight_g is not None and not already_weighed)


def weighbridge_weighed(action: Action | None, role: Role, weight_g: int | None) -> bool:
    """A delivery the weighbridge operator weighed as it was recorded."""
    return action is Action.DELIVER and role is Role.FACILITY_OPERATOR and weight_g is not None


def encode(contents: Mapping[str, int] | None) -> str | None:
    """Contents as stored: ``kitchen:3500,other:0`` (None when empty)."""
    if not contents:
        return None
    return ",".join(f"{c}:{g}" for c, g in sorted(contents.items()))


def decode(text: str | None) -> Contents:
    """Contents from their stored text."""
    if not text:
        return {}
    found: Contents = {}
    for item in text.split(","):
        category, grams = item.split(":")
        found[category] = int(grams)
    return found
