"""Privacy: booths used by few households are merged into one site per village."""

from __future__ import annotations

import pytest

from maps import Flow, MapsError, Site, merge_small_booths

CENTROIDS = {"东栅": (30.75, 120.78), "西栅": (30.70, 120.70)}


def _sites() -> list[Site]:
    """Three booths in 东栅 (two small), one small booth in 西栅, a room and a facility."""
    return [
        Site("B1", "booth", "东栅 1", 30.751, 120.781, {"kitchen": 4.0, "other": 1.0}),
        Site("B2", "booth", "东栅 2", 30.752, 120.782, {"kitchen": 6.0, "hazardous": 0.5}),
        Site("B3", "booth", "东栅 3", 30.753, 120.783, {"kitchen": 90.0}),
        Site("B4", "booth", "西栅 1", 30.701, 120.701, {"recyclable": 2.0}),
        Site("R1", "transfer_room", "中转房", 30.76, 120.79, {"kitchen": 100.0}),
        Site("F1", "facility", "处理中心", 30.8, 120.7, {"kitchen": 100.0}),
    ]


def _flows() -> list[Flow]:
    """Each booth to the room, the room to the facility."""
    return [
        Flow("B1", "R1", "kitchen", 4.0),
        Flow("B1", "R1", "other", 1.0),
        Flow("B2", "R1", "kitchen", 6.0),
        Flow("B2", "R1", "hazardous", 0.5),
        Flow("B3", "R1", "kitchen", 90.0),
        Flow("B4", "R1", "recyclable", 2.0),
        Flow("R1", "F1", "kitchen", 100.0),
    ]


def _merge(**overrides):
    """merge_small_booths on the fixture data with a threshold of 10 households."""
    options = {
        "households_per_booth": {"B1": 6, "B2": 5, "B3": 40, "B4": 2},
        "village_of": {"B1": "东栅", "B2": "东栅", "B3": "东栅", "B4": "西栅"},
        "village_centroids": CENTROIDS,
        "min_households": 10,
    }
    return merge_small_booths(_sites(), _flows(), **{**options, **overrides})


def test_small_booths_become_one_site_per_village_at_its_centroid():
    sites, _ = _merge()
    ids = {s.id for s in sites}
    assert {"B1", "B2", "B4"}.isdisjoint(ids)
    assert {"B3", "R1", "F1"} <= ids
    merged = {s.id: s for s in sites if s.id.startswith("village:")}
    assert set(merged) == {"village:东栅", "village:西栅"}
    east = merged["village:东栅"]
    assert (east.kind, east.lat, east.lon) == ("booth", 30.75, 120.78)
    assert "东栅" in east.name
    assert dict(east.tonnage_kg) == {"kitchen": 10.0, "other": 1.0, "hazardous": 0.5}


def test_flows_are_re_pointed_and_summed_and_no_kilogram_is_lost():
    sites, flows = _merge()
    site_ids = {s.id for s in sites}
    assert all(f.from_site_id in site_ids and f.to_site_id in site_ids for f in flows)
    by_key = {(f.from_site_id, f.to_site_id, f.category): f.kg for f in flows}
    assert by_key[("village:东栅", "R1", "kitchen")] == 10.0
    assert by_key[("village:东栅", "R1", "hazardous")] == 0.5
    assert by_key[("B3", "R1", "kitchen")] == 90.0
    assert by_key[("R1", "F1", "kitchen")] == 100.0
    assert sum(f.kg for f in flows) == sum(f.kg for f in _flows())
    assert len(flows) == len(by_key)


def test_small_booths_too_few_together_take_in_the_villages_next_smallest_booth():
    sites, flows = _merge(households_per_booth={"B1": 3, "B2": 4, "B3": 40, "B4": 2})
    ids = {s.id for s in sites}
    assert {"B1", "B2", "B3"}.isdisjoint(ids)  # 3 + 4 households would still be too few
    east = next(s for s in sites if s.id == "village:东栅")
    assert east.merged and east.tonnage_kg["kitchen"] == 100.0
    assert sum(f.kg for f in flows) == sum(f.kg for f in _flows())


def test_booths_with_enough_households_are_left_alone():
    sites, flows = _merge(min_households=2)
    assert {s.id for s in sites} == {s.id for s in _sites()}
    assert sorted(flows, key=repr) == sorted(_flows(), key=repr)


def test_a_booth_with_unknown_household_count_is_treated_as_small():
    sites, _ = _merge(households_per_booth={"B1": 30, "B2": 30, "B4": 30})
    assert "B3" not in {s.id for s in sites}


def test_a_small_booth_without_a_village_is_refused():
    with pytest.raises(MapsError, match="no village"):
        _merge(village_of={"B1": "东栅", "B2": "东栅", "B3": "东栅"})


def test_a_village_without_centroid_is_refused():
    with pytest.raises(MapsError, match="centroid"):
        _merge(village_centroids={"东栅": (30.75, 120.78)})
