"""Appending drafts to the ledger inside one write transaction: check, seal, write in bulk.

``Appender.load`` takes the ledger-head lock and reads the drafts' assets and
actors; ``add`` checks one draft against the custody rules (``custody.domain.rules``,
``custody.domain.contents``), seals its record into the hash chain
(``custody.domain.ledger``) and keeps it, with the new asset states and the rollup
amounts (``custody.services.rollups``), in memory; ``flush`` writes what is kept.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import TypeVar

from custody.db.repositories import Connection, Repositories
from custody.domain import contents, model, rules
from custody.domain.errors import InvalidHandover, UnknownActor, UnknownAsset
from custody.domain.ledger import LEDGER_FIELDS, record_hash
from custody.domain.model import Action, AssetKind, Flag, HandoverDraft, RecordKind
from custody.domain.outcomes import RecordedHandover
from custody.services import activity_rollups, rollups
from custody.services.asset_states import HANDED, Known, held, known
from custody.services.conversions import from_cm, from_e7, from_us, to_cm, to_e7, to_g, to_us
from custody.services.whereabouts import reached_facility

T = TypeVar("T")


class Appender:
    """Appends drafts in order inside one open write transaction, writing in bulk.

    ``load`` takes the ledger-head lock and reads the assets and actors of the
    drafts; ``add`` checks one draft, seals its record and keeps it (with the new
    asset states and rollup amounts) in memory; ``flush`` writes what is kept.
    The in-memory states are what the next draft's rules see, so a batch gives
    the same records, hash for hash, as one transaction per draft. Anything that
    must read the ledger itself (a correction, a bag seen before) flushes first.
    """

    def __init__(self, conn: Connection, max_speed_kmh: float, *, count_once: bool = False):
        self.conn = conn
        self.repos = Repositories(conn)
        self.max_speed_kmh = max_speed_kmh
        self.count_once = count_once
        self.head: tuple[int, str] | None = None
        self.known: dict[str, Known] = {}
        self.actors: dict[int, bool] = {}
        self.rows: list[dict] = []
        self.portions: list[dict] = []
        self.changed: set[str] = set()
        self.delta = rollups.new_delta()
        self.activity = activity_rollups.ActivityDelta()

    def load(self, drafts: Sequence[HandoverDraft]) -> None:
        """Lock the head; read the drafts' assets (with states and places) and actors."""
        asset_ids = sorted({d.source for d in drafts} | {d.dest for d in drafts})
        actor_ids = sorted({d.actor_id for d in drafts})
        opening = self.repos.ledger.open(asset_ids, actor_ids)  # one round trip
        self.head = opening.head
        self.actors.update(opening.actors)
        for row in opening.assets:
            self.known[row.asset_id] = known(row)

    def add(self, draft: HandoverDraft, now: datetime | None) -> RecordedHandover:
        """Check one draft and seal its record; raise its DomainError before any change."""
        source = self._asset(draft.source)
        dest = self._asset(draft.dest)
        if not self.actors.get(draft.actor_id):
            raise UnknownActor(f"no active actor with id {draft.actor_id}")
        server_time = now or datetime.now(UTC)
        action = draft.action or rules.expected_action(source.info.kind, dest.info.kind)
        confirming = False
        handed = source.state or {}
        if (self.count_once and draft.corrects_seq is None and action is not None
                and action is not Action.INSPECT
                and contents.repeats(handed.get("handed_to"), draft.dest)):
            if not contents.confirms(action, draft.role, to_g(draft.weight_kg),
                                     bool(handed.get("handed_weighed"))):
                return RecordedHandover(None, None, draft.source, draft.dest, action.value,
                                        (Flag.REPEAT_SCAN.value,), server_time,
                                        repeat_of=handed.get("handed_seq"))
            draft = dataclasses.replace(draft, corrects_seq=handed["handed_seq"])
            confirming = True
        is_correction = draft.corrects_seq is not None
        if is_correction:
            self.flush()  # the corrected record, and the rollups it changes, must be there
            if not self.repos.ledger.has_record(draft.corrects_seq):
                raise InvalidHandover(f"record {draft.corrects_seq} does not exist")
        source_state, dest_state = self._state(source), self._state(dest)
        carried = None
        if is_correction:
            flags: tuple[str, ...] = tuple(sorted(set(draft.flags_extra)))
        else:
            carried = contents.carry(
                action=action, source=source.info, dest=dest.info,
                source_contents=held(source), dest_contents=held(dest),
                declared=draft.category.value if draft.category else None,
                weight_g=to_g(draft.weight_kg), given=bool(handed.get("handed_to")))
            flags = tuple(sorted(set(rules.evaluate(rules.RuleContext(
                draft=draft, source=source.info, dest=dest.info, source_state=source_state,
                dest_state=dest_state, seen_at=draft.device_time or server_time,
                max_speed_kmh=self.max_speed_kmh,
            ))) | set(carried.flags)))
        head_seq, head_hash = self.head
        point = draft.point
        values = {
            "seq": head_seq + 1,
            "prev_hash": head_hash,
            "record_kind": (RecordKind.CORRECTION if is_correction
                            else RecordKind.HANDOVER).value,
            "action": action.value if action else None,
            "source_id": draft.source,
            "dest_id": draft.dest,
            "actor_id": draft.actor_id,
            "role": draft.role.value,
            "device_time_us": to_us(draft.device_time),
            "server_time_us": to_us(server_time),
            "lat_e7": to_e7(point.lat) if point else None,
            "lon_e7": to_e7(point.lon) if point else None,
            "accuracy_cm": to_cm(point.accuracy_m) if point else None,
            "photo_sha256": draft.photo_sha256,
            "weight_g": to_g(draft.weight_kg),
            "category": draft.category.value if draft.category else None,
            "flags": ",".join(flags) or None,
            "corrects_seq": draft.corrects_seq,
            "note": draft.note or None,
        }
        digest = record_hash([values[name] for name in LEDGER_FIELDS])
        # Every check is done: from here on the draft is recorded.
        if is_correction:
            rollups.apply_correction(self.repos, values)
            if confirming:  # a second weighbridge scan of this delivery is a repeat
                source.state = {**source.state, "handed_weighed": True}
                self.changed.add(source.info.asset_id)
        else:
            rollups.contribute(self.delta, values, source.info, dest.info,
                               {source.info.asset_id: source.place,
                                dest.info.asset_id: dest.place}, carried.portions)
            activity_rollups.contribute(self.activity, values, source.info, dest.info,
                                        source.place, dest.place)
            self.portions.extend({"seq": values["seq"], "category": p.category,
                                  "grams": p.grams, "estimated": p.estimated}
                                 for p in carried.portions)
            self._move(values, source, dest, action, carried, draft)
        self.rows.append({**values, "hash": digest})
        self.head = (values["seq"], digest)
        return RecordedHandover(values["seq"], digest, draft.source, draft.dest,
                                values["action"], flags, server_time,
                                corrects_seq=draft.corrects_seq if confirming else None)

    def flush(self, alongside: Callable[[], T] | None = None) -> T | None:
        """Write the kept records, the head, the asset states and the rollup amounts.

        ``alongside`` sends more statements in the same round trip; its result is returned.
        """
        if not self.rows and alongside is None:
            return None
        repos = self.repos
        with repos.one_round_trip():
            if self.rows:
                repos.ledger.append(self.rows, self.head, self.portions)
                repos.assets.save_states([self.known[a].state for a in sorted(self.changed)])
                rollups.write(repos, self.delta)
                activity_rollups.write(repos, self.activity)
            extra = alongside() if alongside else None
        self.rows, self.changed, self.delta, self.portions = [], set(), rollups.new_delta(), []
        self.activity = activity_rollups.ActivityDelta()
        return extra

    def _asset(self, asset_id: str) -> Known:
        found = self.known.get(asset_id)
        if found is None:
            raise UnknownAsset(f"no asset {asset_id} is registered")
        return found

    def _state(self, asset: Known) -> model.AssetState:
        """The rules' view of where and when the asset was last seen."""
        row = asset.state
        if row is None:
            return model.AssetState()
        reached = False
        if asset.info.kind is AssetKind.BAG:
            self.flush()  # the custody walk reads the ledger
            reached = reached_facility(self.conn, asset.info.asset_id)
        return model.AssetState(
            last_seq=row["last_seq"], last_seen=from_us(row["last_seen_us"]),
            last_point=rules.point_or_none(from_e7(row["lat_e7"]), from_e7(row["lon_e7"]),
                                           from_cm(row["accuracy_cm"])),
            holding=bool(row["holding"]), reached_facility=reached,
        )

    def _move(self, values: dict, source: Known, dest: Known, action: Action | None,
              carried: contents.Carry, draft: HandoverDraft) -> None:
        """Record where both assets were seen, what containers hold, who handed to whom."""
        moves_waste = action is not Action.INSPECT
        seen = values["device_time_us"] or values["server_time_us"]
        for asset, receives in ((source, False), (dest, True)):
            old = asset.state or {}
            held = carried.dest_after if receives else carried.source_after
            row = {"asset_id": asset.info.asset_id, "last_seq": values["seq"],
                   "last_seen_us": seen, "lat_e7": values["lat_e7"],
                   "lon_e7": values["lon_e7"], "accuracy_cm": values["accuracy_cm"],
                   "holding": bool(old.get("holding")), "contents": old.get("contents"),
                   **{k: old.get(k) for k in HANDED}}
            if moves_waste:
                if asset.info.kind in model.CONTAINER_KINDS:
                    row.update(holding=bool(held), contents=contents.encode(held))
                if receives:
                    row.update(dict.fromkeys(HANDED))
                else:
                    row.update(handed_to=dest.info.asset_id, handed_seq=values["seq"],
                               handed_weighed=contents.weighbridge_weighed(
                                   action, draft.role, values["weight_g"]))
            old = asset.state
            if values["lat_e7"] is None and old is not None and old["lat_e7"] is not None \
                    and old["lon_e7"] is not None:
                row.update(lat_e7=old["lat_e7"], lon_e7=old["lon_e7"],
                           accuracy_cm=old["accuracy_cm"])
            asset.state = row
            self.changed.add(asset.info.asset_id)
