"""Safety classifier (bot/safety.py) measured as a classifier.

Data: bench/data/safety_messages.yml (emergency / self_harm / ordinary messages, English,
Hinglish and Devanagari) and, for false alarms only, every example in data/nlu/*.yml.
Prints recall on emergencies and self-harm (an alarm of either kind counts: both replies
give the emergency numbers), whether the kind was right, the false-alarm rate on ordinary
messages, and every misclassified message.

    .venv/bin/python -m bench.safety [--strict]

``--strict`` exits 1 when recall < 0.98 or false alarms > 5%.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import yaml

from bot import safety

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / "data" / "safety_messages.yml"
NLU_DIR = ROOT / "data" / "nlu"
SAFETY_INTENTS = {"medical_emergency", "self_harm"}
TARGET_RECALL, TARGET_FALSE_ALARMS = 0.98, 0.05
_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")


def load_messages(path: Path = DATA) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {key: [str(m) for m in data.get(key) or []]
            for key in (safety.EMERGENCY, safety.SELF_HARM, "ordinary")}


def nlu_examples(directory: Path = NLU_DIR) -> list[tuple[str, str]]:
    """(intent, plain text) for every NLU example outside the safety intents."""
    examples = []
    for path in sorted(directory.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            intent = block.get("intent")
            if not intent or intent in SAFETY_INTENTS or not block.get("examples"):
                continue
            for line in str(block["examples"]).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line[2:])
                    examples.append((intent, text))
    return examples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    messages = load_messages()
    started = time.perf_counter()
    calls = 0

    alarms, missed, wrong_kind = 0, [], []
    total_alarm = 0
    for kind in (safety.EMERGENCY, safety.SELF_HARM):
        hits = 0
        for text in messages[kind]:
            verdict = safety.classify(text)
            calls += 1
            if verdict.alarm:
                hits += 1
                if verdict.kind != kind:
                    wrong_kind.append((kind, verdict.kind, text))
            else:
                missed.append((kind, text))
        total_alarm += len(messages[kind])
        alarms += hits
        print(f"{kind:<10} recall {hits}/{len(messages[kind])} = "
              f"{hits / max(1, len(messages[kind])):.3f}")
    recall = alarms / max(1, total_alarm)
    print(f"{'all':<10} recall {alarms}/{total_alarm} = {recall:.3f} (target >= {TARGET_RECALL})")

    false_alarms = []
    for text in messages["ordinary"]:
        verdict = safety.classify(text)
        calls += 1
        if verdict.alarm:
            false_alarms.append((verdict, text))
    rate = len(false_alarms) / max(1, len(messages["ordinary"]))
    print(f"ordinary   false alarms {len(false_alarms)}/{len(messages['ordinary'])} = "
          f"{rate:.3f} (target <= {TARGET_FALSE_ALARMS})")

    nlu = nlu_examples()
    nlu_false = []
    for intent, text in nlu:
        verdict = safety.classify(text)
        calls += 1
        if verdict.alarm:
            nlu_false.append((intent, verdict, text))
    print(f"data/nlu   false alarms {len(nlu_false)}/{len(nlu)} = "
          f"{len(nlu_false) / max(1, len(nlu)):.3f}")
    elapsed = time.perf_counter() - started
    print(f"speed      {elapsed / max(1, calls) * 1e6:.0f} µs per message ({calls} messages)")

    for kind, text in missed:
        print(f"  MISSED {kind}: {text}")
    for expected, got, text in wrong_kind:
        print(f"  KIND {expected} -> {got}: {text}")
    for verdict, text in false_alarms:
        print(f"  FALSE ALARM {verdict.kind}/{verdict.category} [{verdict.evidence}]: {text}")
    for intent, verdict, text in nlu_false:
        print(f"  NLU FALSE ALARM ({intent}) {verdict.category} [{verdict.evidence}]: {text}")

    ok = recall >= TARGET_RECALL and rate <= TARGET_FALSE_ALARMS
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
