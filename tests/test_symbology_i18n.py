"""Rain grade colours, the strings table and tooltip escaping."""

import numpy as np

from emergency import i18n, mapdata, symbology
from emergency.vocab import HAZARD_KINDS, INCIDENT_STATUSES, INCIDENT_TYPES, NO_RAIN_COLOR, RAIN_GRADE_COLORS


def test_24h_grade_boundaries():
    values = [0.0, 0.1, 9.9, 10.0, 24.9, 25.0, 49.9, 50.0, 99.9, 100.0, 249.9, 250.0, np.nan]
    assert symbology.rain_grade(values, 24).tolist() == [-1, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, -1]


def test_scale_by_window_length():
    assert [symbology.rain_scale_hours(h) for h in (0.5, 1, 2, 3, 6, 12, 24, 72)] == [1, 1, 3, 3, 6, 12, 24, 24]
    # 30 mm is heavy rain over 24 h but a rainstorm within one hour.
    assert symbology.rain_grade([30.0], 24)[0] == 2
    assert symbology.rain_grade([30.0], 1)[0] == 4


def test_colours():
    colors = symbology.rain_colors([0, 60, 300], 24)
    assert colors[0][:3] == list(NO_RAIN_COLOR)
    assert colors[1][:3] == list(RAIN_GRADE_COLORS[3])
    assert colors[2][:3] == list(RAIN_GRADE_COLORS[5])


def test_legend_rows_cover_the_scale():
    rows = symbology.rain_legend(24)
    assert [text for _, text, _ in rows] == ["0.1 – 9.9", "10 – 24.9", "25 – 49.9", "50 – 99.9", "100 – 249.9", "≥ 250"]


def test_every_string_has_both_languages():
    for key, pair in i18n.STRINGS.items():
        assert len(pair) == 2 and all(pair), key


def test_every_code_has_a_label():
    for vocabulary, codes in (
        ("incident_type", INCIDENT_TYPES),
        ("incident_status", INCIDENT_STATUSES),
        ("hazard_kind", HAZARD_KINDS),
    ):
        assert set(codes) <= set(i18n.CODE_LABELS[vocabulary])
    # Every code of every code list (national classes and "other" included) has a label.
    from emergency.vocab import CODE_LISTS

    for vocabulary, codes in CODE_LISTS.items():
        assert set(codes) <= set(i18n.CODE_LABELS[vocabulary]), vocabulary
    assert i18n.label("incident_status", "pending") == "待处置"
    assert i18n.label("incident_status", "pending", "en") == "Pending"


def test_tooltip_text_keeps_user_text_verbatim_for_streamlit_to_escape():
    # Escaping here too would show "&lt;" to the user: Streamlit escapes substituted values
    # (the browser test proves a payload stays inert).
    tip = mapdata.tooltip_text("<img src=x onerror=alert(1)>", [("地址", "<script>x</script>"), ("面积", float("nan"))])
    assert tip == "<img src=x onerror=alert(1)>\n地址：<script>x</script>\n面积：—"


def test_fit_view_centres_the_box():
    view = mapdata.fit_view(117.7, 28.0, 118.3, 28.6)
    assert abs(view["longitude"] - 118.0) < 1e-9 and abs(view["latitude"] - 28.3) < 1e-9
    # 0.6 degrees of latitude in 620 px: zoom just under 9 in deck.gl's 512 px world.
    assert 8 < view["zoom"] < 9.5


def test_count_classes():
    colors = symbology.class_colors([0, 1, 2, 3, 25], symbology.COUNT_BREAKS)
    assert colors[0][:3] == list(symbology.ZERO_COLOR)
    assert colors[1][:3] == colors[2][:3] == list(symbology.SEQUENTIAL_COLORS[0])
    assert colors[3][:3] == list(symbology.SEQUENTIAL_COLORS[1])
    assert colors[4][:3] == list(symbology.SEQUENTIAL_COLORS[4])
    assert [text for text, _ in symbology.class_legend(symbology.COUNT_BREAKS)] == [
        "< 1",
        "1 – 2",
        "3 – 5",
        "6 – 9",
        "10 – 19",
        "≥ 20",
    ]


def test_every_table_shows_a_dash_not_none_for_a_missing_value():
    """Streamlit draws a missing cell as the English word "None": every table goes through text.dataframe."""
    import inspect
    import pathlib

    from components import text

    root = pathlib.Path(text.__file__).parent.parent
    direct = [
        f"{path.relative_to(root)}"
        for folder in ("components", "pages")
        for path in sorted((root / folder).glob("*.py"))
        if path.name != "text.py" and ("st.dataframe(" in path.read_text() or "st.data_editor(" in path.read_text())
    ]
    assert not direct, direct
    assert "st.dataframe(" not in (root / "app.py").read_text()
    assert text.MISSING == "—"
    assert inspect.signature(text.dataframe).parameters.keys() >= {"data", "kwargs"}
