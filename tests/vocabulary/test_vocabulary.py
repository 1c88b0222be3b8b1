"""The one vocabulary: complete for every identifier the system stores, in both languages."""

import re

import pytest

import vocabulary
from custody.domain.model import Action, AssetKind, Category, Flag, Role
from custody.services.rollups import LEVELS

CJK = re.compile(r"[\u3400-\u9fff]")


@pytest.mark.parametrize(("table", "enum"), [
    ("category", Category), ("asset_kind", AssetKind), ("action", Action), ("role", Role)])
def test_every_stored_identifier_has_exactly_one_term(table, enum):
    assert list(vocabulary.TABLES[table]) == [e.value for e in enum]


def test_every_flag_the_rules_raise_is_named():
    assert {f.value for f in Flag} <= set(vocabulary.FLAGS)
    assert {"repeat_scan", "mixed_load"} <= set(vocabulary.FLAGS)  # issue 13's new flags


def test_report_levels_cover_the_rollups_and_the_town():
    assert set(LEVELS) | {"town"} == set(vocabulary.REPORT_LEVELS)


def test_review_decisions_and_treatment_kinds():
    assert list(vocabulary.REVIEW_DECISIONS) == ["confirm", "dismiss", "correct"]
    assert list(vocabulary.TREATMENT_KINDS) == [
        "composting", "recycling", "incineration", "landfill", "hazardous_treatment"]


@pytest.mark.parametrize("table", vocabulary.TABLES)
def test_names_are_chinese_and_english_and_distinct(table):
    terms = vocabulary.TABLES[table].values()
    for term in terms:
        assert CJK.search(term.zh) and CJK.search(term.detail("zh")), term
        assert not CJK.search(term.en) and not CJK.search(term.detail("en")), term
        assert term.en[0].isupper() and term.detail("en")[0].isupper(), term
    for lang in vocabulary.LANGS:
        names = [t.name(lang) for t in terms]
        assert len(set(names)) == len(names), (table, lang)


def test_one_palette_of_four_distinct_colours():
    colours = vocabulary.category_colours()
    assert list(colours) == ["kitchen", "recyclable", "hazardous", "other"]
    assert all(re.fullmatch(r"#[0-9A-F]{6}", c) for c in colours.values())
    assert len(set(colours.values()) | {vocabulary.NEUTRAL_COLOUR}) == 5


def test_name_lookup():
    assert vocabulary.name("flag", "off_path", "zh") == "路径异常"
    assert vocabulary.name("category", "kitchen", "en") == "Kitchen waste"
    assert vocabulary.name("role", None, "en") == ""
    assert vocabulary.ACTIONS["deposit"].detail("en") == "Deposited in a bin"


def test_the_package_depends_on_nothing():
    import ast
    from pathlib import Path

    for path in Path(vocabulary.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] in {"__future__", "vocabulary", "collections",
                                                     "dataclasses", "types"}, path
            elif isinstance(node, ast.Import):
                raise AssertionError(f"{path} imports {[a.name for a in node.names]}")
