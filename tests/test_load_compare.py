"""load.py --compare runs briefly (two sessions, a few seconds) so it cannot rot; its numbers are not asserted."""

import importlib.util
import shutil

import pytest

from emergency import config
from tests.conftest import on_postgres


@pytest.mark.skipif(not shutil.which("/usr/sbin/nginx"), reason="Debian's nginx is not installed")
def test_compare_runs_the_three_setups(request, capsys):
    if on_postgres(request):
        pytest.skip("starts its own stores: once per CI run is enough (the DuckDB run)")
    spec = importlib.util.spec_from_file_location("load", config.PROJECT_ROOT / "scripts" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    results = load.compare(sessions=2, seconds=4, think_s=1.0)
    assert set(results) == {"embedded", "pg_1", "pg_2"}
    for key, result in results.items():
        for mode in ("back_to_back", "paced"):
            assert result[mode]["reruns"] >= 1, (key, mode)
            assert result[mode]["errors"] == 0, result[mode]["error_samples"]
            assert all(mb and mb > 0 for mb in result[mode]["rss_mb_max"])
    assert len(results["pg_2"]["back_to_back"]["rss_mb_max"]) == 2
    load.print_comparison(results, 2, 4, 1.0)
    table = capsys.readouterr().out
    assert "PostgreSQL, 2 replicas" in table and "2 replicas / 1 replica throughput" in table
