"""Política de retrasos: fecha límite, penalización por día con tope, prórrogas y horas."""

from __future__ import annotations

import zipfile
from datetime import datetime

import pytest

from coursekit.errors import CourseError
from coursekit.instructor.grading.late import (
    LatePolicy,
    apply_late_policy,
    days_late,
    parse_datetime,
    read_id_dates,
    zip_times,
)

DEADLINE = datetime(2026, 12, 1, 23, 59)


def test_parse_datetime_formats():
    assert parse_datetime("2026-12-01 23:59") == DEADLINE
    assert parse_datetime("01/12/2026 23:59") == DEADLINE
    assert parse_datetime("2026-12-01") == datetime(2026, 12, 1, 23, 59, 59)
    with pytest.raises(CourseError, match="No entiendo la fecha"):
        parse_datetime("1 de diciembre")


def test_days_late_counts_started_days():
    assert days_late(DEADLINE, DEADLINE) == 0
    assert days_late(datetime(2026, 12, 2, 0, 1), DEADLINE) == 1
    assert days_late(datetime(2026, 12, 3, 23, 59), DEADLINE) == 2
    assert days_late(datetime(2026, 12, 2, 0, 1), DEADLINE, grace_minutes=5) == 0


def test_penalty_per_day_with_cap_and_floor():
    policy = LatePolicy(DEADLINE, percent_per_day=10, max_percent=30)
    on_time = apply_late_policy(policy, "1", 8, 10, datetime(2026, 12, 1, 12))
    assert (on_time.days_late, on_time.penalty, on_time.final) == (0, 0, 8)
    two = apply_late_policy(policy, "2", 8, 10, datetime(2026, 12, 3, 10))
    assert (two.days_late, two.penalty, two.final) == (2, 2, 6)
    capped = apply_late_policy(policy, "3", 8, 10, datetime(2026, 12, 20))
    assert (capped.penalty, capped.final) == (3, 5)
    low = apply_late_policy(policy, "4", 1, 10, datetime(2026, 12, 20))
    assert low.final == 0  # nunca por debajo de 0


def test_extension_moves_the_deadline():
    policy = LatePolicy(DEADLINE, percent_per_day=10)
    result = apply_late_policy(
        policy, "1", 8, 10, datetime(2026, 12, 3, 10), extension=datetime(2026, 12, 4, 23, 59)
    )
    assert result.days_late == 0 and result.final == 8 and "prórroga" in result.note


def test_lms_late_mark_without_time_counts_one_day_and_asks_for_review():
    policy = LatePolicy(DEADLINE, percent_per_day=20)
    result = apply_late_policy(policy, "1", 10, 10, marked_late=True)
    assert (result.days_late, result.penalty, result.final) == (1, 2, 8)
    assert "revísala" in result.note


def test_bad_policy_is_refused():
    with pytest.raises(CourseError):
        LatePolicy(DEADLINE, percent_per_day=-1)


def test_read_id_dates(tmp_path):
    path = tmp_path / "prorrogas.csv"
    path.write_text("id;nueva fecha\n1234;2026-12-04 23:59\n87;05/12/2026\n", encoding="utf-8")
    dates = read_id_dates(path, "prórrogas")
    assert dates == {"1234": datetime(2026, 12, 4, 23, 59), "87": datetime(2026, 12, 5, 23, 59, 59)}
    path.write_text("1234;mañana\n", encoding="utf-8")
    with pytest.raises(CourseError, match="línea 1"):
        read_id_dates(path, "prórrogas")
    path.write_text("1,2026-12-04\n1,2026-12-05\n", encoding="utf-8")
    with pytest.raises(CourseError, match="dos veces"):
        read_id_dates(path, "prórrogas")


def test_zip_times_and_canvas_late_mark(tmp_path):
    archive = tmp_path / "entregas.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr(
            zipfile.ZipInfo(
                "Ana Pérez_1234_assignsubmission_file_/02.ipynb", (2026, 12, 2, 9, 0, 0)
            ),
            "{}",
        )
        bundle.writestr(
            zipfile.ZipInfo("perezluis_LATE_87_555_02_trainer.ipynb", (2026, 12, 3, 8, 0, 0)), "{}"
        )
        bundle.writestr(zipfile.ZipInfo("garciaeva_99_556_02.ipynb", (2026, 12, 1, 8, 0, 0)), "{}")
    times, late = zip_times(archive)
    assert times == {
        "1234": datetime(2026, 12, 2, 9),
        "87": datetime(2026, 12, 3, 8),
        "99": datetime(2026, 12, 1, 8),
    }
    assert late == {"87"}


def test_layout_keeps_the_canvas_late_mark(tmp_path):
    from coursekit.instructor.grading.layouts import discover

    (tmp_path / "perezluis_LATE_87_555_02_trainer.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "garciaeva_99_556_02.ipynb").write_text("{}", encoding="utf-8")
    found = {s.student_id: s.late for s in discover(tmp_path)}
    assert found == {"87": True, "99": False}
