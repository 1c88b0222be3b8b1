"""Registering assets and actors, one by one and from CSV."""

import pytest
from sqlalchemy import func, select

from custody.db.schema import Asset, Household
from custody.domain.errors import DomainError, DuplicateAsset, ImportRejected, UnknownAsset
from custody.domain.model import AssetKind, Category, Role
from custody.services import assets
from custody.services.assets import NewAsset

GOOD_CSV = """kind,category,name,village,lat,lon,site,household
booth,,1号亭,凤桥村,30.70,120.80,,
bin,kitchen,,凤桥村,,,S00000001,
bag,kitchen,,凤桥村,,,,12-3
"""


def asset_count(db):
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Asset))


def test_ids_are_kind_letter_plus_serial_and_never_reused(db):
    first = assets.register(db, [NewAsset(AssetKind.BAG, Category.KITCHEN)] * 3)
    second = assets.register(db, [NewAsset(AssetKind.BAG, Category.OTHER),
                                  NewAsset(AssetKind.VEHICLE)])
    assert first == ["B00000001", "B00000002", "B00000003"]
    assert second == ["B00000004", "V00000001"]


@pytest.mark.parametrize("new, message", [
    (NewAsset(AssetKind.BAG), "needs a category"),
    (NewAsset(AssetKind.BOOTH), "registered location"),
    (NewAsset(AssetKind.BIN, Category.OTHER, household="1"), "only bags"),
    (NewAsset(AssetKind.VEHICLE, lat=30.0), "both lat and lon"),
])
def test_assets_that_do_not_fit_their_kind_are_refused(db, new, message):
    with pytest.raises(DomainError, match=message):
        assets.register(db, [new])
    assert asset_count(db) == 0


def test_a_bin_must_stand_at_a_registered_booth(db):
    with pytest.raises(UnknownAsset, match="S00000009"):
        assets.register(db, [NewAsset(AssetKind.BIN, Category.KITCHEN, site_id="S00000009")])


def test_csv_import_registers_every_row(db):
    report = assets.import_csv(db, GOOD_CSV)
    assert report.imported == ["S00000001", "N00000001", "B00000001"] and report.skipped == []
    with db.read() as s:
        assert s.scalar(select(Household.ref)) == "12-3"


def test_a_csv_with_bad_rows_imports_nothing_and_names_every_bad_row(db):
    bad = GOOD_CSV + "bag,compost,,凤桥村,,,,\nbooth,,,凤桥村,north,120.8,,\nlorry,,,,,,,\n"
    with pytest.raises(ImportRejected) as caught:
        assets.import_csv(db, bad)
    assert [n for n, _ in caught.value.row_errors] == [5, 6, 7]
    text = str(caught.value)
    assert "unknown category 'compost'" in text and "lat is not a number" in text
    assert "unknown kind 'lorry'" in text and "nothing imported" in text
    assert asset_count(db) == 0


def test_skip_bad_imports_the_good_rows_and_lists_the_bad(db):
    bad = GOOD_CSV + "bag,compost,,凤桥村,,,,\nbin,kitchen,,凤桥村,,,S00000077,\n"
    report = assets.import_csv(db, bad, skip_bad=True)
    assert report.imported == ["S00000001", "N00000001", "B00000001"]
    assert [n for n, _ in report.skipped] == [5, 6]
    assert "S00000077" in report.skipped[1][1]


def test_a_row_failing_in_the_database_rolls_back_the_whole_import(db):
    text = GOOD_CSV + "bin,kitchen,,凤桥村,,,S00000077,\n"
    with pytest.raises(ImportRejected, match="row 5"):
        assets.import_csv(db, text)
    assert asset_count(db) == 0


def test_a_csv_with_a_wrong_header_is_refused(db):
    with pytest.raises(ImportRejected, match="header lacks"):
        assets.import_csv(db, "type,category\nbag,kitchen\n")
    with pytest.raises(ImportRejected, match="unknown column"):
        assets.import_csv(db, "kind,colour\nbag,red\n")


def test_actor_names_are_unique(db):
    assert assets.add_actor(db, "wang", Role.COLLECTOR) == 1
    with pytest.raises(DuplicateAsset):
        assets.add_actor(db, "wang", Role.DRIVER)
