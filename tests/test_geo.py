"""Tests for emergency.geo: datum shifts, projections, distances, areas and outline reading."""

import json

import numpy as np
import pandas as pd
import pyproj
import pytest
import shapely

from emergency import geo
from emergency.config import DEMO_OUTLINE_PATH


@pytest.fixture(scope="module")
def china_points():
    rng = np.random.default_rng(7)
    lon = rng.uniform(73.0, 135.0, 20_000)
    lat = rng.uniform(18.0, 53.0, 20_000)
    return lon, lat


def test_gcj02_round_trip_under_1cm(china_points):
    lon, lat = china_points
    back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lon, lat))
    assert 1000 * geo.haversine_km(lon, lat, *back).max() < 0.01
    # And the other way: GCJ-02 points decoded then re-encoded.
    again = geo.wgs84_to_gcj02(*geo.gcj02_to_wgs84(lon, lat))
    assert 1000 * geo.haversine_km(lon, lat, *again).max() < 0.01


def test_bd09_round_trips_under_1cm(china_points):
    lon, lat = china_points
    assert 1000 * geo.haversine_km(lon, lat, *geo.bd09_to_gcj02(*geo.gcj02_to_bd09(lon, lat))).max() < 0.01
    assert 1000 * geo.haversine_km(lon, lat, *geo.bd09_to_wgs84(*geo.wgs84_to_bd09(lon, lat))).max() < 0.01
    assert 1000 * geo.haversine_km(lon, lat, *geo.wgs84_to_bd09(*geo.bd09_to_wgs84(lon, lat))).max() < 0.01


def test_offsets_are_hundreds_of_metres_in_china(china_points):
    lon, lat = china_points
    shift = 1000 * geo.haversine_km(lon, lat, *geo.wgs84_to_gcj02(lon, lat))
    assert shift.min() > 10 and shift.max() < 1500


def test_published_reference_values():
    # wandergis/coordtransform test/app.js, the de facto reference implementation.
    assert geo.wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-9)
    assert geo.gcj02_to_bd09(116.404, 39.915) == pytest.approx((116.41036949371029, 39.92133699351021), abs=1e-9)
    # Its inverses are one-step approximations, so ours (exact) agree only to a few metres.
    assert 1000 * geo.haversine_km(*geo.bd09_to_gcj02(116.404, 39.915), 116.39762729119315, 39.90865673957631) < 3
    assert 1000 * geo.haversine_km(*geo.gcj02_to_wgs84(116.404, 39.915), 116.39775550083061, 39.91359571849836) < 3


def test_scalars_stay_scalars_and_arrays_keep_shape():
    lon, lat = geo.to_wgs84(117.9, 28.4, "gcj02")
    assert isinstance(lon, float) and isinstance(lat, float)
    grid_lon, grid_lat = np.meshgrid(np.linspace(117.7, 118.2, 4), np.linspace(28.0, 28.8, 3))
    out_lon, out_lat = geo.gcj02_to_wgs84(grid_lon, grid_lat)
    assert out_lon.shape == out_lat.shape == (3, 4)


def test_no_offset_outside_china():
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(-74.0, 40.7) == (-74.0, 40.7)


def test_haversine_known_distance():
    # One degree of latitude on the mean sphere, and Beijing -> Shanghai (~1,067 km).
    assert geo.haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(np.pi * 6371.0088 / 180, rel=1e-12)
    assert geo.haversine_km(116.4074, 39.9042, 121.4737, 31.2304) == pytest.approx(1_067, rel=0.005)
    assert geo.haversine_km([0, 0], [0, 0], [0, 0], [0, 0]).tolist() == [0.0, 0.0]


@pytest.mark.parametrize("epsg", ["EPSG:4548", "EPSG:4547", "EPSG:32650"])
def test_to_wgs84_projected_round_trip(epsg):
    rng = np.random.default_rng(1)
    lon = rng.uniform(117.6, 118.3, 500)
    lat = rng.uniform(27.9, 28.9, 500)
    forward = pyproj.Transformer.from_crs("EPSG:4326", epsg, always_xy=True)
    x, y = forward.transform(lon, lat)
    back_lon, back_lat = geo.to_wgs84(x, y, epsg)
    assert 1000 * geo.haversine_km(lon, lat, back_lon, back_lat).max() < 0.01


def test_to_wgs84_named_systems():
    assert geo.to_wgs84(117.9, 28.4, "WGS84") == (117.9, 28.4)
    assert geo.to_wgs84(117.9, 28.4, "cgcs2000") == (117.9, 28.4)
    assert geo.to_wgs84(117.9, 28.4, "GCJ-02") == geo.gcj02_to_wgs84(117.9, 28.4)
    assert geo.to_wgs84(117.9, 28.4, "bd09") == geo.bd09_to_wgs84(117.9, 28.4)
    assert geo.to_wgs84(117.9, 28.4, "EPSG:4490") == pytest.approx((117.9, 28.4))


@pytest.mark.parametrize("crs", ["mars", "EPSG:999999", ""])
def test_unknown_crs_raises(crs):
    with pytest.raises(ValueError, match="coordinate system"):
        geo.to_wgs84(117.9, 28.4, crs)


def test_geometry_to_wgs84_matches_point_conversion():
    square = shapely.box(117.8, 28.3, 117.9, 28.4)
    converted = geo.geometry_to_wgs84(square, "gcj02")
    coords = shapely.get_coordinates(square)
    expected = np.column_stack(geo.gcj02_to_wgs84(coords[:, 0], coords[:, 1]))
    np.testing.assert_allclose(shapely.get_coordinates(converted), expected, atol=1e-12)
    many = geo.geometry_to_wgs84(np.array([square, square]), "gcj02")
    assert many.shape == (2,) and shapely.equals(many[0], converted)


def test_area_km2_of_one_degree_box_at_equator():
    # 1 x 1 degree at the equator on WGS84 is about 12,308 km².
    assert geo.area_km2(shapely.box(0, 0, 1, 1)) == pytest.approx(12_308, rel=0.001)
    assert geo.area_km2([shapely.box(0, 0, 1, 1), shapely.Polygon()]).tolist()[1] == 0.0


def test_read_outline_guangxin():
    outline = geo.read_outline(DEMO_OUTLINE_PATH)
    assert outline.is_valid and outline.geom_type in ("Polygon", "MultiPolygon")
    assert geo.area_km2(outline) == pytest.approx(2233, rel=0.02)
    raw = json.loads(DEMO_OUTLINE_PATH.read_text(encoding="utf-8"))
    raw_coords = np.array(raw["features"][0]["geometry"]["coordinates"][0][0])
    # Each raw GCJ vertex moved by the local GCJ offset (a few hundred metres) to WGS84.
    shift = 1000 * geo.haversine_km(
        raw_coords[:, 0], raw_coords[:, 1], *geo.gcj02_to_wgs84(raw_coords[:, 0], raw_coords[:, 1])
    )
    assert shift.min() > 100 and shift.max() < 700
    raw_centroid = shapely.Polygon(raw_coords).centroid
    assert 100 < 1000 * geo.haversine_km(raw_centroid.x, raw_centroid.y, outline.centroid.x, outline.centroid.y) < 700


def test_read_outline_trusts_file_crs_when_asked(tmp_path):
    path = tmp_path / "box.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(shapely.box(117.8, 28.3, 117.9, 28.4)),
                    },
                    {
                        "type": "Feature",
                        "properties": {},
                        "geometry": shapely.geometry.mapping(shapely.box(117.9, 28.3, 118.0, 28.4)),
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    outline = geo.read_outline(path, crs=None)
    assert outline.geom_type == "Polygon"
    assert outline.area == pytest.approx(0.02)
    assert shapely.get_coordinates(outline).min(axis=0) == pytest.approx([117.8, 28.3])


def test_locate_points_in_polygons():
    left, right = shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)
    index = geo.locate([0.5, 1.5, 5.0], [0.5, 0.5, 5.0], [left, right])
    assert index.tolist() == [0, 1, -1]


def test_wkb_round_trip():
    square = shapely.box(117.8, 28.3, 117.9, 28.4)
    blob = geo.geometry_to_wkb(square)
    assert isinstance(blob, bytes)
    assert geo.wkb_to_geometry(blob).equals(square)
    # DuckDB returns BLOB columns to pandas as bytearray.
    assert geo.wkb_to_geometry(bytearray(blob)).equals(square)
    decoded = geo.wkb_to_geometry(pd.Series([bytearray(blob), None]))
    assert decoded[0].equals(square) and decoded[1] is None
