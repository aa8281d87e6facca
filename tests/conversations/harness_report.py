"""Pass rate per conversation category: pytest hooks (loaded by conftest.py) and the table.

Each scenario is marked ``@pytest.mark.conversation("<category>")``. When the environment
names a report file (``CONVERSATION_REPORT``, set by ``make conversation-report``) the run
writes it as JSON; ``python -m tests.conversations.harness_report <file>`` prints the table.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

CATEGORIES = ("safety", "baskets", "bookings", "new_customers", "several_orders",
              "questions", "internal_text", "why_examples")
REPORT_ENV = "CONVERSATION_REPORT"
_results: dict[str, dict[str, Any]] = {}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "conversation(category): a multi-turn conversation scenario of that "
        f"category ({', '.join(CATEGORIES)}); see tests/conversations/")


def _category(item: pytest.Item) -> str | None:
    marker = item.get_closest_marker("conversation")
    if marker is None:
        return None
    category = marker.args[0] if marker.args else marker.kwargs.get("category")
    if category not in CATEGORIES:
        raise pytest.UsageError(f"{item.nodeid}: unknown conversation category {category!r}")
    return category


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    outcome = yield
    report = outcome.get_result()
    report.conversation_category = _category(item)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    category = getattr(report, "conversation_category", None)
    if category is None:
        return
    entry = _results.setdefault(report.nodeid, {"category": category, "outcome": "passed"})
    if report.skipped:
        entry["outcome"] = "skipped"
    elif report.failed:
        entry["outcome"] = "failed"  # a failure in setup, call or teardown


def summarise(results: dict[str, dict[str, Any]]) -> dict[str, dict[str, int]]:
    """category -> {scenarios, passed, failed, skipped} (skipped scenarios don't count)."""
    table: dict[str, dict[str, int]] = defaultdict(
        lambda: {"scenarios": 0, "passed": 0, "failed": 0, "skipped": 0})
    for entry in results.values():
        row = table[entry["category"]]
        row[entry["outcome"]] += 1
        if entry["outcome"] != "skipped":
            row["scenarios"] += 1
    return dict(table)


def format_table(summary: dict[str, dict[str, int]]) -> str:
    lines = [f"{'category':<16}{'scenarios':>10}{'passed':>8}{'pass rate':>11}{'skipped':>9}"]
    total = {"scenarios": 0, "passed": 0, "skipped": 0}
    order = [c for c in CATEGORIES if c in summary]
    for category in order:
        row = summary[category]
        for key in total:
            total[key] += row[key]
        lines.append(_row(category, row))
    lines.append("-" * len(lines[0]))
    lines.append(_row("total", total))
    return "\n".join(lines)


def _row(name: str, row: dict[str, int]) -> str:
    rate = f"{row['passed'] / row['scenarios']:.0%}" if row["scenarios"] else "-"
    return (f"{name:<16}{row['scenarios']:>10}{row['passed']:>8}{rate:>11}"
            f"{row['skipped']:>9}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    target = os.environ.get(REPORT_ENV)
    if not target or not _results:
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"scenarios": _results, "summary": summarise(_results)},
                               indent=1, sort_keys=True))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _results:
        terminalreporter.section("conversations: pass rate per category")
        terminalreporter.write_line(format_table(summarise(_results)))


def main(argv: list[str]) -> int:
    """Print the table of a saved report; 1 when a scenario failed or none ran."""
    path = Path(argv[0] if argv else "results/conversation-report.json")
    if not path.exists():
        print(f"no conversation report at {path}: did the test stack start?", file=sys.stderr)
        return 1
    summary = json.loads(path.read_text())["summary"]
    print(format_table(summary))
    failed = sum(row["failed"] for row in summary.values())
    ran = sum(row["scenarios"] for row in summary.values())
    return 1 if failed or not ran else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
