"""docs/grafana-dashboard.json charts only metrics that GET /metrics actually serves."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace

from prometheus_client import generate_latest

from channels import turn_metrics
from channels.routes.metrics import registry

DASHBOARD = Path(__file__).resolve().parents[2] / "docs" / "grafana-dashboard.json"


def test_every_metric_in_the_dashboard_is_exported(scratch_db):
    turn_metrics.observe(None, "web", "conv-x", 0.12, {"intent": "greet", "outcome": "answered"})
    turn_metrics.observe(None, "sms", "conv-y", 0.3, None, unavailable=True)
    exported = generate_latest(registry(SimpleNamespace(db=scratch_db))).decode()
    samples = {line.split("{")[0].split(" ")[0] for line in exported.splitlines()
               if line and not line.startswith("#")}
    families = {line.split()[2] for line in exported.splitlines() if line.startswith("# TYPE")}
    names = samples | families  # the outbox families have no samples in an empty database
    dashboard = json.loads(DASHBOARD.read_text())
    wanted = {name for panel in dashboard["panels"] for target in panel["targets"]
              for name in re.findall(r"\bpharmacy_[a-z_]+", target["expr"])}
    assert wanted, "the dashboard charts nothing"
    missing = sorted(wanted - names)
    assert not missing, f"charted but not exported: {missing}"
