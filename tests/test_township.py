"""Township command view core: the demo hierarchy, the grid/duty/freshness queries, who to call, ranking and card."""

import io
import re
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
import shapely
from pypdf import PdfReader

from emergency import geo, queries, store, township
from emergency.demo import hierarchy
from emergency.filters import Filters
from tests import tiny
from tests.tiny import hour

# Relative area tolerance of "covers exactly" and "no overlap" (floating-point noise of the overlay).
AREA_TOLERANCE = 1e-9
PHONE = re.compile(r"^1[3-9]\d{9}$")
# The tiny west township split in two villages at this longitude; village A in two grids at LAT_SPLIT.
LON_SPLIT, LAT_SPLIT = 117.94, 28.35
VILLAGE_A = shapely.box(117.9, 28.3, LON_SPLIT, 28.4)
VILLAGE_B = shapely.box(LON_SPLIT, 28.3, 118.0, 28.4)
GRID_A1 = shapely.box(117.9, 28.3, LON_SPLIT, LAT_SPLIT)
GRID_A2 = shapely.box(117.9, LAT_SPLIT, LON_SPLIT, 28.4)


@pytest.fixture(scope="module")
def conn():
    """The tiny store plus a hand-made hierarchy of the west township and a two-day roster."""
    conn = store.connect(":memory:")
    tiny.populate(conn)
    cur = conn.cursor()
    for code, name, geom in (("999999001200", "甲村", VILLAGE_A), ("999999001201", "乙村", VILLAGE_B)):
        cur.execute(
            "INSERT INTO villages (code, name, kind, township, geometry, is_demo) VALUES (?, ?, 'village', '999999001',"
            " ?, true)",
            [code, name, shapely.to_wkb(geom)],
        )
    for code, name, village, geom, keeper, phone in (
        ("99999900120001", "甲村第1网格", "999999001200", GRID_A1, "赵一", "13600000001"),
        ("99999900120002", "甲村第2网格", "999999001200", GRID_A2, "钱二", "13600000002"),
        ("99999900120101", "乙村第1网格", "999999001201", VILLAGE_B, "孙三", "13600000003"),
    ):
        cur.execute(
            """INSERT INTO grids (code, name, village, township, geometry, keeper, phone, is_demo)
                       VALUES (?, ?, ?, '999999001', ?, ?, ?, true)""",
            [code, name, village, shapely.to_wkb(geom), keeper, phone],
        )
    cur.execute(
        "INSERT INTO duty_roster VALUES ('999999001', DATE '2026-06-20', '周值班', 'deputy_head', '13500000001', true)"
    )
    cur.execute(
        "INSERT INTO duty_roster VALUES ('999999001', DATE '2026-06-21', '吴值班', 'township_head', '13500000002',"
        " true)"
    )
    cur.execute("INSERT INTO township_contacts VALUES ('999999001', '郑镇长', 'township_head', '13700000001', true)")
    yield conn
    conn.close()


# ------------------------------------------------------------------------------ the demo hierarchy


@pytest.fixture(scope="module")
def demo_conn(demo_file):
    conn = store.connect(demo_file, read_only=True)
    yield conn
    conn.close()


def test_demo_grids_cover_each_township_exactly_without_overlaps(demo_conn):
    townships = queries.townships(demo_conn)
    all_grids = queries.grids(demo_conn)
    all_villages = queries.villages(demo_conn)
    assert len(all_villages) >= 4 * len(townships) and len(all_grids) >= 2 * len(all_villages)
    for code, wkb in zip(townships["code"], townships["geometry"], strict=True):
        outline = geo.wkb_to_geometry(bytes(wkb))
        for frame in (all_grids, all_villages):
            cells = geo.wkb_to_geometry(frame.loc[frame["township"] == code, "geometry"])
            assert len(cells) >= 2 and shapely.is_valid(cells).all()
            # Every cell inside its township.
            assert (shapely.area(shapely.difference(cells, outline)) <= AREA_TOLERANCE * outline.area).all()
            # Together they cover it exactly ...
            union = shapely.union_all(cells)
            assert shapely.symmetric_difference(union, outline).area <= AREA_TOLERANCE * outline.area
            # ... and never overlap: the areas add up to the township's.
            assert abs(shapely.area(cells).sum() - outline.area) <= AREA_TOLERANCE * outline.area


def test_demo_grids_lie_in_their_village(demo_conn):
    villages = queries.villages(demo_conn).set_index("code")
    all_grids = queries.grids(demo_conn)
    assert all_grids["village"].isin(villages.index).all()
    assert (all_grids["township"] == villages.loc[all_grids["village"], "township"].to_numpy()).all()
    village_shapes = geo.wkb_to_geometry(villages.loc[all_grids["village"], "geometry"])
    grid_shapes = geo.wkb_to_geometry(all_grids["geometry"])
    outside = shapely.area(shapely.difference(grid_shapes, village_shapes))
    assert (outside <= AREA_TOLERANCE * shapely.area(village_shapes)).all()


def test_demo_names_and_phones_are_well_formed_and_labelled_demo(demo_conn):
    villages = queries.villages(demo_conn)
    all_grids = queries.grids(demo_conn)
    assert villages["name"].str.match(r"^\w{2}(村|社区)$").all()
    assert set(villages["kind"]) == {"village", "community"}
    assert (villages["kind"] == "community").eq(villages["township_name"].str.endswith("街道")).all()
    assert all_grids["name"].str.match(r"^\w{2}(村|社区)第\d网格$").all()
    assert all_grids["phone"].str.match(PHONE).all() and all_grids["phone"].is_unique
    assert all_grids["keeper"].str.len().between(2, 3).all()
    assert villages["is_demo"].all() and all_grids["is_demo"].all()
    assert (all_grids["code"].str[:12] == all_grids["village"]).all()
    roster = store.run(demo_conn, "SELECT * FROM duty_roster")
    assert roster["phone"].str.match(PHONE).all() and roster["is_demo"].all()
    # Every township has a leader on duty every day of the storm.
    assert roster.groupby("township")["duty_date"].nunique().min() == roster["duty_date"].nunique() >= 7


def test_partition_of_a_concave_polygon_is_exact():
    ell = shapely.Polygon([(0, 0), (3, 0), (3, 1), (1, 1), (1, 3), (0, 3)])
    cells = hierarchy.partition(ell, 7, np.random.default_rng(3))
    assert len(cells) == 7
    assert shapely.symmetric_difference(shapely.union_all(cells), ell).area < 1e-12
    assert abs(sum(cell.area for cell in cells) - ell.area) < 1e-12
    assert hierarchy.partition(ell, 1, np.random.default_rng(3)) == [ell]


def test_same_seed_same_hierarchy():
    frame = pd.DataFrame(
        {
            "code": ["1", "2"],
            "name": ["甲镇", "乙街道"],
            "geometry": [tiny.WEST, tiny.EAST],
            "area_km2": [100.0, 100.0],
            "population": [1000, 2000],
        }
    )
    first = hierarchy.demo_hierarchy(frame, np.random.default_rng(5))
    again = hierarchy.demo_hierarchy(frame, np.random.default_rng(5))
    for table in ("villages", "grids"):
        pd.testing.assert_frame_equal(first[table], again[table])
    roster = hierarchy.demo_duty_roster(["1", "2"], date(2026, 6, 20), date(2026, 6, 22), np.random.default_rng(5))
    assert len(roster) == 6 and roster.groupby("township")["title"].nunique().eq(3).all()


# ------------------------------------------------------------------------------------- queries


def test_grid_and_village_queries(conn):
    assert queries.grids(conn, ("999999002",)).empty
    frame = queries.grids(conn, ("999999001",))
    assert frame["name"].tolist() == ["甲村第1网格", "甲村第2网格", "乙村第1网格"]
    assert frame["village_name"].tolist() == ["甲村", "甲村", "乙村"]
    assert set(frame["township_name"]) == {"西镇"}
    assert queries.villages(conn)["name"].tolist() == ["甲村", "乙村"]


def test_duty_leader_is_the_one_of_that_calendar_day(conn):
    assert queries.duty_leaders(conn, hour(4))["name"].tolist() == ["周值班"]
    assert queries.duty_leaders(conn, datetime(2026, 6, 21, 23, 59))["name"].tolist() == ["吴值班"]
    assert queries.duty_leaders(conn, datetime(2026, 6, 22, 0, 0)).empty
    assert queries.duty_leaders(conn, hour(4), ("999999002",)).empty


def test_township_freshness(conn):
    fresh = queries.township_freshness(conn, hour(4), 60).set_index("code")
    assert fresh.loc["999999001", ["gauges", "stale_gauges", "rain_lag_min"]].tolist() == [2, 0, 0]
    # West: I2 reported at 03:30; I1's update at 02:00 is older. East: I3 at 04:00 (I4 is later).
    assert fresh.loc["999999001", "last_report_at"] == pd.Timestamp(hour(3.5))
    assert fresh.loc["999999002", "last_report_at"] == pd.Timestamp(hour(4))
    later = queries.township_freshness(conn, hour(10), 60).set_index("code")
    assert later.loc["999999001", ["stale_gauges", "rain_lag_min"]].tolist() == [2, 360]
    assert later.loc["999999002", "last_report_at"] == pd.Timestamp(hour(10))
    # Before any report: nothing known, every gauge stale.
    before = queries.township_freshness(conn, hour(0.5), 60).set_index("code")
    assert before.loc["999999001", "stale_gauges"] == 2 and pd.isna(before.loc["999999001", "last_rain_at"])


# ---------------------------------------------------------------------------- ranking and view


def window(end: datetime, **kwargs) -> Filters:
    return Filters(end=end, start=end - timedelta(hours=24), **kwargs)


def test_ranking_compares_every_township(conn):
    frame = township.ranking(conn, window(hour(4))).set_index("code")
    west, east = frame.loc["999999001"], frame.loc["999999002"]
    assert (west["rain_mean_mm"], west["rain_max_mm"], west["max_1h_mm"]) == (25.0, 40.0, 10.0)
    assert (west["incidents"], west["open_incidents"], west["hazard_people"]) == (2, 1, 100)
    assert (west["shelter_capacity"], west["shelter_free"], west["shelter_cover"]) == (300, 180, 3.0)
    assert pd.isna(east["shelter_cover"])  # nobody lives at a hazard point there
    team_km = float(
        geo.haversine_km(tiny.WEST.representative_point().x, tiny.WEST.representative_point().y, 118.04, 28.34)
    )
    assert west["nearest_team"] == "东乡民兵队" and west["nearest_team_km"] == round(team_km, 1)
    assert not frame["lagging"].any()
    assert frame.index.tolist() == ["999999001", "999999002"]  # wettest first
    late = township.ranking(conn, window(hour(10)), max_age_minutes=60)
    assert late["lagging"].all() and (late["rain_lag_min"] == 360).all()
    assert township.ranking(conn, window(hour(10)), max_age_minutes=400)["lagging"].eq(False).all()


def test_resources_in_and_near_a_township(conn):
    found = township.resources_near(conn, "999999001", tiny.WEST, near_km=5)
    assert found["warehouses"]["name"].tolist() == ["西镇仓库"] and found["warehouses"]["inside"].all()
    # The east team is 0.04° (about 3.9 km) beyond the border; the east hall about 6.9 km.
    assert found["teams"]["name"].tolist() == ["东乡民兵队"] and not found["teams"]["inside"].any()
    assert 3.5 < found["teams"]["distance_km"].iloc[0] < 4.2
    assert found["shelters"]["name"].tolist() == ["西镇小学"]
    assert township.distance_to_km(tiny.WEST, [117.95], [28.35]).tolist() == [0.0]


def test_who_to_call_names_duty_leader_contacts_and_grid_members_with_reasons(conn):
    incidents = queries.incidents(conn, hour(0), hour(4), ("999999001",))
    hazards = queries.hazard_points(conn, ("999999001",))
    hazards = hazards[hazards["id"] == "H2"]  # as if H2 were over its critical rain
    calls = township.who_to_call(conn, "999999001", hour(4), incidents, hazards)
    assert calls["role"].tolist() == ["duty_leader", "township_head", "grid_member", "grid_member"]
    assert calls.loc[0, ["name", "title", "phone"]].tolist() == ["周值班", "deputy_head", "13500000001"]
    members = calls[calls["role"] == "grid_member"].set_index("grid")
    # I1 (pending, 117.95/28.35) lies in 乙村; I2 is closed; H2 (117.91/28.31) lies in 甲村 grid 1.
    assert members.loc["乙村第1网格", ["name", "phone", "incidents", "hazards"]].tolist() == [
        "孙三",
        "13600000003",
        "I1",
        "",
    ]
    assert members.loc["甲村第1网格", ["name", "incidents", "hazards"]].tolist() == ["赵一", "", "H2"]
    assert "甲村第2网格" not in members.index
    # No hierarchy, roster or contacts: nobody to call, no error.
    assert township.who_to_call(conn, "999999002", hour(4), incidents.iloc[0:0], hazards.iloc[0:0]).empty


def test_summary_and_unknown_township(conn):
    s = township.summary(conn, "999999001", window(hour(4)))
    assert (s.name, s.villages, s.grids) == ("西镇", 2, 3)
    assert s.nearest_team["name"] == "东乡民兵队" and s.nearest_team["eta_min"] > 0
    assert s.incidents["id"].tolist() == ["I2", "I1"]
    assert s.hazards.empty and s.people_at_risk == 0
    with pytest.raises(ValueError, match="unknown township"):
        township.summary(conn, "000", window(hour(4)))


def pdf_text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    # Extracted CJK text comes with spaces between the glyphs.
    return len(reader.pages), re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in reader.pages))


def test_card_pdf_holds_the_name_figures_and_who_to_call_on_one_page(conn):
    s = township.summary(conn, "999999001", window(hour(4)))
    pages, text = pdf_text(township.card_pdf(s, "zh", now=datetime(2026, 6, 20, 5, 0)))
    assert pages == 1 and township.pdf_pages(township.card_pdf(s, "zh")) == 1
    for expected in (
        "西镇态势卡",
        "面雨量25.0毫米",
        "最大站累计雨量40.0毫米",
        "1/2起",
        "隐患点受威胁人数100",
        "容量300人",
        "东乡民兵队",
        "值班领导（副乡镇长）周值班13500000001",
        "郑镇长",
        "I1",
        "西镇仓库",
        "生成：2026-06-2005:00",
    ):
        assert expected in text, expected
    _, english = pdf_text(township.card_pdf(s, "en"))
    assert "西镇situationcard" in english and "Leaderonduty" in english


def test_card_of_a_busy_demo_township_still_fits_one_page(demo_conn):
    ranking = township.ranking(demo_conn, Filters(end=datetime(2026, 6, 20, 2, 40)))
    busiest = ranking.sort_values("open_incidents").iloc[-1]
    s = township.summary(demo_conn, busiest["code"], Filters(end=datetime(2026, 6, 20, 2, 40)))
    assert len(s.contacts) > 3
    pages, text = pdf_text(township.card_pdf(s, "zh"))
    assert pages == 1 and busiest["name"] in text
    assert f"{int(busiest['open_incidents'])}/{int(busiest['incidents'])}起" in text


# ------------------------------------------------------------------------------------- import


def test_villages_grids_and_duty_roster_import_like_the_other_kinds(tiny_store, tmp_path):
    from emergency.ingest import import_file

    conn = tiny_store
    villages = tmp_path / "村.csv"
    villages.write_text(
        "村编码,村名,类型,乡镇,边界\n"
        f'999999002200,丙村,村,东乡,"{shapely.box(118.0, 28.3, 118.05, 28.4).wkt}"\n'
        f'999999002201,丁社区,社区,999999002,"{shapely.box(118.05, 28.3, 118.1, 28.4).wkt}"\n'
        f'999999002202,戊村,镇,东乡,"{shapely.box(118.05, 28.3, 118.1, 28.4).wkt}"\n',
        encoding="utf-8",
    )
    report = import_file(conn, villages, "villages")
    assert (report.inserted, report.rejected) == (2, 1)
    assert store.run(conn, "SELECT kind FROM villages ORDER BY code")["kind"].tolist() == ["village", "community"]
    grid_file = tmp_path / "网格.csv"
    west, east = shapely.box(118.0, 28.3, 118.05, 28.4).wkt, shapely.box(118.05, 28.3, 118.1, 28.4).wkt
    grid_file.write_text(
        "网格编码,网格名称,村编码,乡镇,网格员,联系电话,边界\n"
        f'99999900220001,丙村第1网格,999999002200,东乡,冯七,13600009999,"{west}"\n'
        f'99999900230001,无村网格,999999002300,东乡,陈八,13600009998,"{east}"\n',
        encoding="utf-8",
    )
    report = import_file(conn, grid_file, "grids")
    assert (report.inserted, report.rejected) == (1, 1)
    quarantined = store.run(conn, "SELECT reason, value FROM quarantine WHERE kind = 'grids'")
    assert quarantined.values.tolist() == [["unknown_reference", "999999002300"]]
    imported = queries.grids(conn, ("999999002",))
    assert imported[["name", "village_name", "keeper", "phone"]].values.tolist() == [
        ["丙村第1网格", "丙村", "冯七", "13600009999"]
    ]
    assert 0 < imported["area_km2"].iloc[0] < 60
    roster = tmp_path / "值班表.csv"
    roster.write_text(
        "乡镇,值班日期,值班领导,职务,联系电话\n东乡,2026-06-20,褚九,副乡镇长,13500009999\n", encoding="utf-8"
    )
    report = import_file(conn, roster, "duty_roster")
    assert report.inserted == 1
    leader = queries.duty_leaders(conn, hour(4), ("999999002",))
    assert leader[["name", "title", "phone"]].values.tolist() == [["褚九", "deputy_head", "13500009999"]]
    conn.close()
