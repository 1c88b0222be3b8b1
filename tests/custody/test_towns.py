"""Towns (镇/街道) above villages: from the CLI, the asset import and the demo."""

import pytest

from custody.demo.district import town_names
from custody.domain.errors import DomainError
from custody.services import assets, towns
from tests.custody.test_cli import run  # noqa: F401 - the CLI fixture


def test_the_cli_and_the_import_put_villages_in_towns(run, tmp_path, db):  # noqa: F811
    run("assets", "add", "--kind", "booth", "--village", "凤桥村", "--lat", "30.7", "--lon",
        "120.8", "--town", "凤桥镇")
    run("villages", "set-town", "凤桥村", "七星街道")
    csv = tmp_path / "assets.csv"
    csv.write_text("kind,name,village,lat,lon,town\n"
                   "booth,新丰村1号亭,新丰村,30.72,120.82,新丰镇\n"
                   "transfer_room,余新村中转房,余新村,30.73,120.83,\n", encoding="utf-8")
    run("assets", "import", str(csv))
    assert towns.towns_of(db) == {"凤桥村": "七星街道", "新丰村": "新丰镇", "余新村": None}
    failed = run("villages", "set-town", "无名村", "凤桥镇", code=1)
    assert "无名村" in failed.output


def test_a_town_needs_a_village(db):
    with pytest.raises(DomainError):
        assets.register(db, [assets.NewAsset(assets.AssetKind.VEHICLE, town="凤桥镇")])


def test_the_demo_spreads_its_villages_over_towns():
    assert town_names(3) == ["凤桥镇", "凤桥镇", "余新镇"]
    nanhu = town_names(34)
    assert len(set(nanhu)) == 5 and nanhu[0] == "凤桥镇" and nanhu[-1] == "七星街道"
    assert [nanhu.count(t) for t in dict.fromkeys(nanhu)] == [7, 7, 7, 7, 6]
