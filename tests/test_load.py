"""The load script runs briefly with two sessions of each client so it cannot rot (its numbers are not asserted)."""

import importlib.util

import pytest

from emergency import config


@pytest.mark.parametrize("client, seconds", [("protocol", 8), ("chromium", 8)])
def test_load_script_runs_two_sessions(demo_file, client, seconds):
    spec = importlib.util.spec_from_file_location("load", config.PROJECT_ROOT / "scripts" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    result = load.run(sessions=2, seconds=seconds, db=demo_file, client=client)
    assert result["client"] == client
    assert result["reruns"] >= 1
    assert result["errors"] == 0, result["error_samples"]
    assert result["rss_mb_max"] > 0
