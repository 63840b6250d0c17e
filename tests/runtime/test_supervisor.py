"""The supervisor restarts a process that exits, waiting longer after each crash, and says so in its status file."""

import json

from runtime.supervisor import Backoff, Supervisor, read_status


class FakeProcess:
    def __init__(self, name: str) -> None:
        self.name = name
        self.alive = True
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        self.alive = True

    def exited(self) -> bool:
        return not self.alive

    def exit_code(self) -> int | None:
        return None if self.alive else -9


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _supervisor(tmp_path, *names: str):
    clock, reports = Clock(), []
    processes = [FakeProcess(name) for name in names]
    supervisor = Supervisor(processes, backoff=Backoff(initial=1, maximum=8, stable_after=60),
                            status_path=tmp_path / "status.json", clock=clock, report=reports.append)
    return supervisor, processes, clock, reports


def test_backoff_doubles_up_to_its_maximum():
    assert [Backoff(initial=1, maximum=8).delay(n) for n in range(1, 7)] == [1, 2, 4, 8, 8, 8]


def test_a_dead_process_is_restarted_after_the_delay_and_logged(tmp_path):
    supervisor, (rasa, gateway), clock, reports = _supervisor(tmp_path, "rasa", "gateway")
    rasa.alive = False

    supervisor.check()
    assert rasa.starts == 0
    assert reports == ["rasa exited (code -9); restarting in 1 s (attempt 1)"]
    status = read_status(tmp_path / "status.json")
    assert status["rasa"]["status"] == "restarting" and status["gateway"]["status"] == "running"

    clock.now += 0.5
    supervisor.check()
    assert rasa.starts == 0
    clock.now += 0.5
    supervisor.check()
    assert rasa.starts == 1 and gateway.starts == 0
    assert read_status(tmp_path / "status.json")["rasa"] == {"status": "running", "restarts": 1,
                                                             "last_exit_code": -9}


def test_repeated_crashes_wait_longer_and_a_stable_run_resets_the_wait(tmp_path):
    supervisor, (rasa,), clock, reports = _supervisor(tmp_path, "rasa")
    waits = []
    for _ in range(5):
        rasa.alive = False
        supervisor.check()
        waits.append(supervisor.status()["rasa"]["restart_in_seconds"])
        clock.now += waits[-1]
        supervisor.check()
    assert waits == [1, 2, 4, 8, 8] and rasa.starts == 5

    clock.now += 61  # up for longer than stable_after
    rasa.alive = False
    supervisor.check()
    assert supervisor.status()["rasa"]["restart_in_seconds"] == 1


def test_without_a_status_file_there_is_no_supervisor(tmp_path):
    assert read_status(None) is None
    assert read_status(tmp_path / "missing.json") is None
    (tmp_path / "broken.json").write_text("{")
    assert read_status(tmp_path / "broken.json") is None
    supervisor, _, _, _ = _supervisor(tmp_path, "actions")
    assert json.loads((tmp_path / "status.json").read_text())["services"]["actions"]["status"] == "running"
