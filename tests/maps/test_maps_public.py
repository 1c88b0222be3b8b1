"""The public map: sites, flows and trips appear, styled by category and tonnage."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

import vocabulary
from maps import Flow, MapsError, Site, flow_width, public_map_html, vocabulary_text

DAY = date(2026, 11, 22)


def _render(day_records, map_options, **extra):
    """The public map page for (sites, flows, trips)."""
    sites, flows, trips = day_records
    return public_map_html(sites, flows, trips, day=DAY, **map_options, **extra)


def _items(batches, html):
    """Every embedded item with its layer's shared options merged in where it is a dict."""
    rows = []
    for base, items in batches(html).values():
        rows.extend((base, item) for item in items)
    return rows


def _flows(batches, html):
    """(category, colour, width) of every flow line on the page."""
    found = []
    for base, item in _items(batches, html):
        if isinstance(item[1], dict) and "custody-flow " in item[1].get("className", ""):
            category = item[1]["className"].split("custody-flow-")[1]
            found.append((category, base["color"], item[1]["weight"]))
    return found


def test_every_site_flow_and_trip_gets_its_css_class(small_day, map_options):
    html = _render(small_day, map_options)
    assert html.count('"custody-site custody-site-booth"') == 2
    assert html.count('"custody-site custody-site-transfer_room"') == 1
    assert html.count('"custody-site custody-site-facility"') == 1
    assert html.count('"custody-flow custody-flow-kitchen"') == 3
    assert html.count('"custody-flow custody-flow-other"') == 1
    assert html.count('"custody-flow custody-flow-hazardous"') == 1
    assert html.count('"custody-flow custody-flow-recyclable"') == 0
    assert html.count('"custody-trip"') == 1


def test_nanhu_day_counts_match_the_input(nanhu_day, map_options):
    sites, flows, trips = nanhu_day
    html = _render(nanhu_day, map_options)
    for kind in ("booth", "transfer_room", "facility"):
        expected = sum(1 for s in sites if s.kind == kind)
        assert html.count(f'"custody-site custody-site-{kind}"') == expected
    assert html.count('"custody-flow custody-flow-') == len(flows)
    assert html.count('"custody-trip"') == len(trips)
    assert len(html.encode()) <= 1_500_000


def test_flow_colour_follows_category(small_day, batches, map_options):
    flows = _flows(batches, _render(small_day, map_options))
    assert flows
    for category, colour, _ in flows:
        assert colour == vocabulary.CATEGORIES[category].colour


def test_flow_width_follows_tonnage(small_day, batches, map_options):
    sites, flows, _ = small_day
    widths = sorted(width for _, _, width in _flows(batches, _render(small_day, map_options)))
    expected = sorted(flow_width(f.kg, max(g.kg for g in flows)) for f in flows)
    assert widths == expected
    assert widths[0] < widths[-1]


def test_flow_width_grows_with_kg_and_is_clamped():
    widths = [flow_width(kg, 1000.0) for kg in (0, 1, 10, 100, 500, 1000, 5000)]
    assert widths == sorted(widths)
    assert widths[0] == flow_width(0, 1000.0) > 0
    assert widths[-1] == widths[-2] == flow_width(1000.0, 1000.0)
    assert flow_width(5.0, 0.0) == widths[0]


def test_trips_are_dashed_and_follow_their_points(small_day, batches, map_options):
    _, _, trips = small_day
    html = _render(small_day, map_options)
    trip_rows = [
        (b, i)
        for b, i in _items(batches, html)
        if isinstance(i[1], dict) and i[1].get("className") == "custody-trip"
    ]
    assert len(trip_rows) == 1
    base, (latlngs, _, tooltip) = trip_rows[0]
    assert base["dashArray"]
    assert latlngs == [[lat, lon] for lat, lon, _ in trips[0].points]
    assert "浙F12345" in tooltip


def test_popups_give_the_days_tonnage_per_category_in_the_page_language(small_day, map_options):
    zh = _render(small_day, map_options, lang="zh", text=vocabulary_text("zh", kg_unit="公斤"))
    en = _render(small_day, map_options)
    for category in vocabulary.CATEGORIES.values():
        assert category.zh in zh and category.en not in zh
        assert category.en in en and category.zh not in en
    assert "东栅村 1号亭" in zh
    assert "40.0 公斤" in zh and "52.5 公斤" in zh  # booth B1: kitchen, total
    assert "40.0 kg" in en and "52.5 kg" in en
    assert "投放亭" in zh and "中转房" in zh and "处理设施" in zh


def test_swatches_take_the_palette_given(small_day, map_options):
    text = vocabulary_text("en", colours={"kitchen": "#111111", "recyclable": "#222222",
                                          "hazardous": "#333333", "other": "#444444"})
    html = _render(small_day, map_options, text=text)
    assert "background:#111111" in html and "background:#444444" in html
    assert vocabulary.CATEGORIES["kitchen"].colour not in html


def test_a_notice_is_shown_above_the_day_picker(small_day, map_options):
    html = _render(small_day, map_options, text=vocabulary_text("en", notice="Bad day"))
    assert '<p class="custody-notice" role="alert">Bad day</p>' in html


def test_day_picker_reloads_the_page_with_the_chosen_day(small_day, map_options):
    html = _render(small_day, map_options)
    form = re.search(r"<form[^>]*>.*?</form>", html, re.S)[0]
    assert 'method="get"' in form and "action=" not in form
    assert re.search(r'<input[^>]*type="date"[^>]*name="day"[^>]*value="2026-11-22"', form)


def test_layer_control_lists_the_layers(small_day, map_options):
    html = _render(small_day, map_options, lang="zh", text=vocabulary_text(
        "zh", trips="清运车辆轨迹", flows="流向"))
    assert "L.control.layers(" in html
    for name in ("清运车辆轨迹", "投放亭", "厨余垃圾 · 流向"):
        assert json.dumps(name, ensure_ascii=False) in html or json.dumps(name) in html


def test_the_page_says_which_language_it_is_in(small_day, map_options):
    zh = _render(small_day, map_options, lang="zh")
    en = _render(small_day, map_options, lang="en")
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en


def test_site_names_cannot_inject_markup(small_day, map_options):
    sites, flows, trips = small_day
    evil = Site("B9", "booth", "</script><img src=x onerror=alert(1)>", 30.75, 120.78, {})
    html = public_map_html([*sites, evil], flows, trips, day=DAY, **map_options)
    assert html.count("</script>") == html.count("<script")
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in html  # popup and tooltip text


def test_flow_to_an_unknown_site_is_refused(small_day, map_options):
    sites, flows, trips = small_day
    with pytest.raises(MapsError, match="unknown site"):
        public_map_html(
            sites, [*flows, Flow("B1", "nowhere", "kitchen", 1.0)], trips, day=DAY, **map_options
        )


def test_unknown_language_is_refused(small_day, map_options):
    with pytest.raises(MapsError):
        _render(small_day, map_options, lang="fr")


def test_an_empty_day_still_makes_a_page(map_options):
    html = public_map_html([], [], [], day=DAY, **map_options)
    assert 'name="day"' in html
    assert "custody-site custody-site-" not in html and "custody-flow custody-flow-" not in html


def test_legend_does_not_reuse_the_countable_marker_classes(small_day, map_options):
    html = _render(small_day, map_options)
    markup = html.split("<body>")[1].split("<script>")[0]
    assert "custody-legend" in markup
    assert "custody-site" not in markup and "custody-flow" not in markup


def test_the_language_switch_is_on_the_panel(small_day, map_options):
    text = vocabulary_text("en", languages=(("zh", "中文", "/lang/zh?next=/map", False),
                                            ("en", "English", "/lang/en?next=/map", True)))
    html = _render(small_day, map_options, text=text)
    assert '<a href="/lang/zh?next=/map" data-lang="zh">中文</a>' in html
    assert '<a href="/lang/en?next=/map" data-lang="en" aria-current="true">English</a>' in html


def test_a_place_name_with_template_braces_is_shown_as_typed(map_options):
    sites = [Site("B1", "booth", "{{ 7 * 7 }}亭", 30.75, 120.78, {"kitchen": 1.0}),
             Site("R1", "transfer_room", "{% raw %}房", 30.76, 120.79)]
    html = public_map_html(sites, [Flow("B1", "R1", "kitchen", 1.0)], [], day=DAY,
                           **map_options)
    assert "{{ 7 * 7 }}亭" in html and "49亭" not in html and "{% raw %}房" in html


def test_flows_between_the_same_places_lie_side_by_side(small_day, batches, map_options):
    html = _render(small_day, map_options)
    offsets = {}
    for _, item in _items(batches, html):
        if isinstance(item[1], dict) and "custody-flow " in item[1].get("className", ""):
            offsets[(tuple(map(tuple, item[0])), item[1]["className"])] = item[1].get("offset", 0)
    b1_room = [v for (line, _), v in offsets.items() if line[0] == (30.751, 120.781)]
    assert len(b1_room) == 2 and b1_room[0] * b1_room[1] < 0  # kitchen and other, either side
    widths = [flow_width(kg, 50.0) for kg in (40.0, 12.5)]
    assert abs(b1_room[0] - b1_room[1]) >= sum(widths) / 2  # apart by their half widths
    alone = [v for (line, _), v in offsets.items() if line[0] == (30.755, 120.79)]
    assert alone == [0]  # the room's one flow to the plant stays on the axis


def test_the_legend_names_every_mark_and_the_widths(small_day, map_options):
    html = _render(small_day, map_options)
    legend = re.search(r'<details class="custody-fold".*?</details>', html, re.S)[0]
    for words in ("Kitchen waste", "Recyclables", "Hazardous waste", "Other waste",
                  "Treatment facility", "Transfer room", "Drop-off booth", "Truck trips",
                  "Several small booths together", "Line width", "50.0 kg", "10.0 kg"):
        assert words in legend, words
