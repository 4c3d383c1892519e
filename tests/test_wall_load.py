"""The load script's wall mode runs briefly with two walls so it cannot rot (its numbers are not asserted)."""

import importlib.util

from emergency import config


def test_load_script_drives_two_self_refreshing_walls(demo_file):
    spec = importlib.util.spec_from_file_location("load", config.PROJECT_ROOT / "scripts" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    result = load.run(sessions=2, seconds=9, db=demo_file, wall=True, refresh_s=2)
    assert result["wall"] and result["refresh_s"] == 2
    assert result["reruns"] >= 4  # each wall refreshed itself at least twice
    assert result["errors"] == 0, result["error_samples"]
    assert result["rss_mb_max"] > 0
