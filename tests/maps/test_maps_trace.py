"""The trace map: one asset's path in time order, numbered, in the page's language."""

from __future__ import annotations

from datetime import datetime

from maps import MapText, TracePoint, trace_map_html

POINTS = [
    TracePoint(30.80, 120.70, datetime(2026, 11, 22, 9, 30), "南湖 处理中心"),
    TracePoint(30.751, 120.781, datetime(2026, 11, 22, 7, 5), "东栅村 1号亭"),
    TracePoint(30.755, 120.790, datetime(2026, 11, 22, 8, 0), "东栅村 中转房"),
]


def test_path_goes_through_the_points_in_time_order(batches, map_options):
    html = trace_map_html(POINTS, **map_options)
    paths = [
        item
        for _, items in batches(html).values()
        for item in items
        if isinstance(item[1], dict) and item[1].get("className") == "custody-trace-path"
    ]
    assert len(paths) == 1
    assert paths[0][0] == [[30.751, 120.781], [30.755, 120.79], [30.8, 120.7]]


def test_every_point_is_a_numbered_marker_first_and_last_marked(batches, map_options):
    html = trace_map_html(POINTS, **map_options)
    markers = [
        item
        for _, items in batches(html).values()
        for item in items
        if isinstance(item[2], str) and "custody-trace-point" in item[2]
    ]
    assert [m[3] for m in markers] == ["<span>1</span>", "<span>2</span>", "<span>3</span>"]
    assert "custody-trace-point-first" in markers[0][2]
    assert "custody-trace-point-last" in markers[2][2]
    assert "东栅村 1号亭" in markers[0][4] and "2026-11-22 07:05" in markers[0][4]


def test_the_page_speaks_the_language_given(map_options):
    html = trace_map_html(POINTS, **map_options, lang="zh",
                          text=MapText(trace_title="去向追踪", path="路径", places="经过地点"))
    assert "<title>去向追踪</title>" in html and '<html lang="zh-CN">' in html
    assert "Trace" not in html.split("<body>")[0]
    assert "<title>Trace</title>" in trace_map_html(POINTS, **map_options)


def test_a_single_point_has_a_marker_and_no_path(map_options):
    html = trace_map_html(POINTS[:1], **map_options)
    only = "custody-trace-point custody-trace-point-first custody-trace-point-last"
    assert html.count(f'"{only}"') == 1
    assert "custody-trace-path" not in html


def test_no_points_still_makes_a_page(map_options):
    assert "<html" in trace_map_html([], **map_options)


def test_labels_cannot_inject_markup(map_options):
    point = TracePoint(30.7, 120.7, datetime(2026, 1, 1), "<b>x</b>")
    html = trace_map_html([point], **map_options)
    assert "1. &lt;b&gt;x&lt;/b&gt;" in html
