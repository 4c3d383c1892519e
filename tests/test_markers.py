"""The browser/apptest markers come from tests/conftest.py by what a test uses, not from decorators."""

import json
import subprocess
import sys

from emergency import config

COLLECT = """
import json, sys, pytest
class Report:
    def pytest_collection_finish(self, session):
        print("MARKERS" + json.dumps({i.nodeid.split("[")[0]: sorted(m.name for m in i.iter_markers())
                                      for i in session.items}))
pytest.main(["--co", "-q", "-p", "no:cacheprovider", *sys.argv[1:]], plugins=[Report()])
"""


def test_markers_follow_what_each_test_uses():
    paths = (
        "tests/test_browser.py",
        "tests/test_trends_pages.py",
        "tests/test_geo.py",
        "tests/test_load.py",
        "tests/test_security.py",
    )
    result = subprocess.run(
        [sys.executable, "-c", COLLECT, *paths], cwd=config.PROJECT_ROOT, capture_output=True, text=True, timeout=120
    )
    line = next(line for line in result.stdout.splitlines() if line.startswith("MARKERS"))
    markers = json.loads(line.removeprefix("MARKERS"))
    assert "browser" in markers["tests/test_browser.py::test_one_map_draws_the_district"]
    assert "browser" in markers["tests/test_load.py::test_load_script_runs_two_sessions"]
    # the harness imported inside the test function counts too
    hostile = markers["tests/test_security.py::test_t4_hostile_text_in_every_field_renders_as_text_on_every_page"]
    assert "browser" in hostile
    assert "browser" not in markers["tests/test_security.py::test_t4_the_helpers_leave_no_markup_and_keep_the_text"]
    briefing = markers["tests/test_trends_pages.py::test_browser_briefing_and_data_export"]
    assert "browser" in briefing and "apptest" not in briefing
    assert any(
        "apptest" in names and "browser" not in names
        for node, names in markers.items()
        if node.startswith("tests/test_trends_pages.py::")
    )
    assert not any(
        {"browser", "apptest"} & set(names) for node, names in markers.items() if node.startswith("tests/test_geo.py::")
    )
