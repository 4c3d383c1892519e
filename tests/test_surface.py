"""IDW interpolation and the clipped rain surface image."""

import base64
import io

import numpy as np
import shapely
from PIL import Image

from emergency import surface


def test_idw_reproduces_gauges_and_stays_within_range():
    lon, lat, values = np.array([118.0, 118.1, 118.0]), np.array([28.3, 28.3, 28.4]), np.array([10.0, 50.0, 30.0])
    grid_lon, grid_lat = np.meshgrid(np.linspace(117.95, 118.15, 9), np.linspace(28.25, 28.45, 9))
    grid = surface.idw(lon, lat, values, grid_lon, grid_lat)
    assert grid.min() >= 10.0 and grid.max() <= 50.0
    on_gauge = surface.idw(lon, lat, values, np.array([118.1]), np.array([28.3]))
    assert on_gauge[0] == 50.0


def test_idw_midpoint_of_two_gauges_is_their_mean():
    mid = surface.idw(
        np.array([0.0, 1.0]), np.array([0.0, 0.0]), np.array([10.0, 30.0]), np.array([0.5]), np.array([0.0])
    )
    assert mid[0] == 20.0


def test_surface_is_clipped_to_the_outline():
    outline = shapely.Polygon([(118.0, 28.0), (118.2, 28.0), (118.0, 28.2)])  # a triangle
    url, bounds = surface.rain_surface(
        [118.02, 118.1, 118.03], [28.02, 28.03, 28.1], [60, 80, 120], outline, 24, cells=40
    )
    assert bounds == [118.0, 28.0, 118.2, 28.2]
    image = np.array(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    assert image.shape[2] == 4
    # North-east corner is outside the triangle: transparent; south-west corner is inside: drawn.
    assert image[0, -1, 3] == 0
    assert image[-1, 0, 3] == surface.SURFACE_ALPHA


def test_no_surface_without_two_gauges():
    outline = shapely.box(118, 28, 118.1, 28.1)
    assert surface.rain_surface([118.05], [28.05], [10.0], outline, 24) is None
    assert surface.rain_surface([118.05, 118.06], [28.05, 28.06], [np.nan, np.nan], outline, 24) is None


def test_window_surface_on_the_tiny_store(tiny_conn, monkeypatch):
    from tests.tiny import hour

    url, bounds = surface.window_surface(tiny_conn, hour(0), hour(5))
    assert url.startswith("data:image/png;base64,") and bounds == [117.9, 28.3, 118.1, 28.4]
    # A dense network is interpolated from cell means: same picture format, fewer inputs.
    monkeypatch.setattr(surface, "MAX_IDW_GAUGES", 1)
    url, _ = surface.window_surface(tiny_conn, hour(0), hour(5))
    assert url.startswith("data:image/png;base64,")
