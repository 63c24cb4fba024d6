"""Errors in Celery tasks are logged once, with the task's name, id and arguments."""

import logging

from organiser.celery import app


@app.task(name="tests.always_fails")
def always_fails(seat_code: str) -> None:
    raise ValueError(f"no such seat {seat_code}")


def test_a_failing_task_is_logged_with_its_context(caplog):
    with caplog.at_level(logging.ERROR, logger="organiser.tasks"):
        result = always_fails.apply(args=["E14009999"])
    assert result.state == "FAILURE"
    records = [r for r in caplog.records if r.name == "organiser.tasks"]
    assert len(records) == 1
    record = records[0]
    assert record.task_name == "tests.always_fails"
    assert record.task_id
    assert "E14009999" in record.task_args
    assert record.exc_info[0] is ValueError
