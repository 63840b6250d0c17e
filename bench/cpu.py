"""CPU time of process trees, read from /proc: where a load test's CPU goes, process by process.

A throughput bench on a machine whose cores are all busy is bound by the CPU every process spends on a turn,
not by any one of them; the per-process figures say which part to cut.
"""

import os
from collections.abc import Iterable
from pathlib import Path

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float, str]]:
    """{pid: (parent pid, CPU seconds used so far, command line)} of every running process."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # the name in parentheses may hold spaces
        processes[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND,
                                      command)
    return processes


def tree_cpu_seconds(roots: Iterable[int], processes: dict[int, tuple[int, float, str]] | None = None) -> float:
    """CPU seconds used so far by these processes and all their descendants (threads included)."""
    processes = _processes() if processes is None else processes
    members, grown = set(roots), True
    while grown:
        children = {pid for pid, (parent, _, _) in processes.items() if parent in members} - members
        members |= children
        grown = bool(children)
    return sum(processes[pid][1] for pid in members if pid in processes)


def pids_running(fragment: str, processes: dict[int, tuple[int, float, str]] | None = None) -> list[int]:
    """Processes whose command line contains `fragment` (a port, a data directory)."""
    processes = _processes() if processes is None else processes
    return [pid for pid, (_, _, command) in processes.items() if fragment in command]


class CpuMeter:
    """CPU seconds per named group of process trees between `start()` and `stop()`."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self._before: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        processes = _processes()
        return {name: tree_cpu_seconds(roots, processes) for name, roots in self.groups.items()}

    def start(self) -> None:
        self._before = self._now()

    def stop(self) -> dict[str, float]:
        after = self._now()
        return {name: after[name] - self._before[name] for name in self.groups}
