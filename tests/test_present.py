"""Values as a reader sees them (facilities.present): labels from the layer model, written here by hand."""

from __future__ import annotations

import pandas as pd

from facilities.present import is_coded, readable


def test_codes_yes_no_dates_and_missing_values_read_as_words():
    frame = pd.DataFrame({
        "updated": pd.to_datetime(["2026-11-13", "2026-11-14 10:30"], format="ISO8601"),
        "status": ["existing", None],
        "working": [True, False],
        "height_m": [8.0, float("nan")],
        "road": ["人民路", "unknown road"],
    })  # fmt: skip
    zh = readable(frame, "lamps", "zh")
    assert list(zh.columns) == ["更新日期", "状态", "亮灯", "灯高 (m)", "道路"]
    assert zh.iloc[0].tolist() == ["2026-11-13", "现有", "是", "8", "人民路"]
    # a missing value is an empty cell, never None or nan; free text (a road's name) stays as it is
    assert zh.iloc[1].tolist() == ["2026-11-14 10:30", "", "否", "", "unknown road"]
    en = readable(frame, "lamps", "en", headers=False)
    assert en.iloc[0].tolist() == ["2026-11-13", "Existing", "Yes", "8", "人民路"]


def test_only_closed_value_and_yes_no_fields_are_coded():
    assert is_coded("lamps", "status") and is_coded("lamps", "working") and is_coded("toilets", "grade")
    assert not is_coded("lamps", "road") and not is_coded("lamps", "height_m") and not is_coded("nowhere", "status")
