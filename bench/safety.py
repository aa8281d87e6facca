"""Safety classifier (bot/safety.py) measured as a classifier.

Data (bench/data/): safety_messages.yml (emergency / self_harm / ordinary messages, English,
Hinglish and Devanagari; written before the rules, then used while writing them),
safety_round2.yml to safety_round5.yml (each written as a held-out set after a round of
rules, measured once, then used to widen them), safety_heldout.yml (written last, never
used to change the rules: the honest estimate) and, for false alarms only, every example in
data/nlu/*.yml.
Prints recall on emergencies and self-harm (an alarm of either kind counts: both replies
give the emergency numbers), whether the kind was right, the false-alarm rate on ordinary
messages, and every misclassified message.

    .venv/bin/python -m bench.safety [--strict]

``--strict`` exits 1 when recall < 0.98 or false alarms > 5% on the main set.
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
DEV_ROUNDS = [ROOT / "bench" / "data" / f"safety_round{n}.yml" for n in (2, 3, 4, 5)]
HELDOUT = ROOT / "bench" / "data" / "safety_heldout.yml"
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


def measure(name: str, messages: dict[str, list[str]]) -> tuple[float, float, list[str]]:
    """Print recall and false alarms for one message set; (recall, false-alarm rate, errors)."""
    errors: list[str] = []
    alarms = total = 0
    for kind in (safety.EMERGENCY, safety.SELF_HARM):
        hits = 0
        for text in messages[kind]:
            verdict = safety.classify(text)
            if verdict.alarm:
                hits += 1
                if verdict.kind != kind:
                    errors.append(f"  KIND {kind} -> {verdict.kind}: {text}")
            else:
                errors.append(f"  MISSED {kind}: {text}")
        total += len(messages[kind])
        alarms += hits
        print(f"{name:<9} {kind:<10} recall {hits}/{len(messages[kind])} = "
              f"{hits / max(1, len(messages[kind])):.3f}")
    recall = alarms / max(1, total)
    print(f"{name:<9} {'all':<10} recall {alarms}/{total} = {recall:.3f} "
          f"(target >= {TARGET_RECALL})")
    false_alarms = 0
    for text in messages["ordinary"]:
        verdict = safety.classify(text)
        if verdict.alarm:
            false_alarms += 1
            errors.append(f"  FALSE ALARM {verdict.kind}/{verdict.category} "
                          f"[{verdict.evidence}]: {text}")
    rate = false_alarms / max(1, len(messages["ordinary"]))
    print(f"{name:<9} ordinary   false alarms {false_alarms}/{len(messages['ordinary'])} = "
          f"{rate:.3f} (target <= {TARGET_FALSE_ALARMS})")
    return recall, rate, errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    main_set = load_messages()
    recall, rate, errors = measure("main", main_set)
    sets = [main_set]
    for path in DEV_ROUNDS:
        sets.append(load_messages(path))
        errors += [f"{line} ({path.stem})" for line in measure(path.stem[7:], sets[-1])[2]]
    heldout = load_messages(HELDOUT)
    sets.append(heldout)
    _, _, heldout_errors = measure("held-out", heldout)

    nlu = nlu_examples()
    nlu_false = []
    for intent, text in nlu:
        verdict = safety.classify(text)
        if verdict.alarm:
            nlu_false.append(f"  NLU FALSE ALARM ({intent}) {verdict.category} "
                             f"[{verdict.evidence}]: {text}")
    print(f"{'data/nlu':<9} ordinary   false alarms {len(nlu_false)}/{len(nlu)} = "
          f"{len(nlu_false) / max(1, len(nlu)):.3f}")
    calls = sum(len(v) for messages in sets for v in messages.values()) + len(nlu)
    elapsed = time.perf_counter() - started
    print(f"speed     {elapsed / max(1, calls) * 1e6:.0f} µs per message ({calls} messages, "
          "including loading)")
    for line in (*errors, *(f"{line} (held-out)" for line in heldout_errors), *nlu_false):
        print(line)

    ok = recall >= TARGET_RECALL and rate <= TARGET_FALSE_ALARMS
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
