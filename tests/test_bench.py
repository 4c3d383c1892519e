"""The benchmark runs at a tiny scale so it cannot rot (its numbers are printed, not asserted)."""

import json

from emergency import bench


def test_bench_runs_small(tmp_path, capsys):
    out = tmp_path / "bench.json"
    result = bench.main(scale=0.2, json_path=str(out))
    assert result["rows"]["rainfall"] > 0
    assert json.loads(out.read_text())["scale"] == 0.2
    assert "demo_build_s" in capsys.readouterr().out
