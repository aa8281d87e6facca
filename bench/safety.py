"""Safety classifier (bot/safety.py) measured as a classifier, against a keyword baseline.

Three detectors on the same data: the shipped one (``safety.classify``: rules with the
model's second opinion, bot/safety_model.py), the rules alone (``safety.classify_rules``)
and a keyword list (the first thing one would write). The model is trained on the
development sets below, so only the held-out figures say how the shipped detector does on
wording it has not seen.

Data (bench/data/):

* development (used to write and widen the rules, so development figures):
  safety_messages.yml, safety_round2.yml … safety_round5.yml, safety_heldout.yml (round 6,
  held out last round, used since) — flat lists ``emergency`` / ``self_harm`` / ``ordinary``;
  safety_dev_b.yml … safety_dev_h.yml — nested
  ``label -> category -> script -> messages``;
* held out: safety_frozen_a.yml (written and committed before this round's changes; measured
  once, then seen — its figures are kept for the record) and safety_frozen_b.yml (written
  after A was measured, before the changes that followed; never used to change the
  detector) — the honest estimate; neither is ever training data (bot/safety_model.py);
* for false alarms only: every example in data/nlu/*.yml outside the safety intents.

For each set it prints recall on emergencies and self-harm (an alarm of either kind counts:
both replies give 112/108) per category and per script (en / hinglish / deva; flat files:
latin / deva), the false-alarm rate on ordinary messages per kind and per script, the same
for a keyword baseline (a list of alarming words, the first thing one would write), and
the median / p95 latency per message of both, measured interleaved in the same run.

    .venv/bin/python -m bench.safety [--strict] [--errors {none,dev,all}]

``--strict`` exits 1 when the held-out set (B) misses recall >= 0.98 or false alarms <= 5 %.
``--errors dev`` (default) lists the development sets' mistakes; ``all`` also the held-out
set's (read them only to report, never to change the rules — write a new batch instead).
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot import safety

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "data"
DEV_FLAT = [DATA_DIR / name for name in (
    "safety_messages.yml", "safety_round2.yml", "safety_round3.yml", "safety_round4.yml",
    "safety_round5.yml", "safety_heldout.yml")]
DEV_NESTED = [DATA_DIR / f"safety_dev_{x}.yml" for x in "bcdefgh"]
HELDOUT_A = DATA_DIR / "safety_frozen_a.yml"   # measured once at 48bf9aa, then spent
HELDOUT = DATA_DIR / "safety_frozen_b.yml"     # the current honest estimate
NLU_DIR = ROOT / "data" / "nlu"
SAFETY_INTENTS = {"medical_emergency", "self_harm"}
ALARM_LABELS = (safety.EMERGENCY, safety.SELF_HARM)
TARGET_RECALL, TARGET_FALSE_ALARMS = 0.98, 0.05
_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")
_DEVANAGARI = re.compile(r"[\u0900-\u097f]")


@dataclass(frozen=True)
class Sample:
    """One labelled message."""

    text: str
    label: str       # emergency | self_harm | ordinary
    category: str    # emergency category, "self_harm", or the kind of ordinary message
    script: str      # en | hinglish | deva (nested files); latin | deva (flat files)
    source: str      # file stem


def _script_of(text: str) -> str:
    return "deva" if _DEVANAGARI.search(text) else "latin"


def load(path: Path) -> list[Sample]:
    """Samples of a flat (label -> list) or nested (label -> category -> script) file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    samples = []
    for label in (*ALARM_LABELS, "ordinary"):
        block = data.get(label) or []
        if isinstance(block, list):
            samples += [Sample(str(t), label, "-", _script_of(str(t)), path.stem) for t in block]
            continue
        for category, scripts in block.items():
            for script, texts in (scripts or {}).items():
                samples += [Sample(str(t), label, category, script, path.stem)
                            for t in texts or []]
    return samples


def nlu_examples(directory: Path = NLU_DIR) -> list[Sample]:
    """Every NLU example outside the safety intents, as ordinary messages."""
    samples = []
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
                    samples.append(Sample(text, "ordinary", intent, _script_of(text), "nlu"))
    return samples


# -- the baseline: a keyword list -------------------------------------------------------
_KEYWORDS = re.compile(
    r"chest pain|heart attack|can'?t breathe|not breathing|unconscious|fainted|collapsed"
    r"|stroke|seizure|fits?\b|bleeding|poison|overdose|swallowed|suicide|kill myself|die\b"
    r"|seene|dard|saans|behosh|lakwa|mirgi|daura|khoon|zeher|zehar|marna|khudkushi"
    r"|सीने|दर्द|सांस|बेहोश|लकवा|दौरा|खून|जहर|ज़हर|आत्महत्या|मरना",
    re.IGNORECASE,
)


def keyword_baseline(text: str) -> bool:
    """Alarm when any alarming word appears (no context, no negation)."""
    return bool(_KEYWORDS.search(text))


def shipped(text: str) -> bool:
    return safety.classify(text).alarm


def rules(text: str) -> bool:
    return safety.classify_rules(text).alarm


# -- measuring --------------------------------------------------------------------------
def _rate(hits: int, total: int) -> str:
    return f"{hits}/{total} = {hits / total:.3f}" if total else "-"


def report(name: str, samples: list[Sample], detector: Callable[[str], bool],
           detail: bool = True) -> tuple[float, float, list[str]]:
    """Print recall and false alarms of ``detector`` on ``samples``; (recall, fa, errors)."""
    alarms = [s for s in samples if s.label in ALARM_LABELS]
    ordinary = [s for s in samples if s.label == "ordinary"]
    verdict = {s: detector(s.text) for s in samples}
    by_cat: dict[str, list[bool]] = defaultdict(list)
    by_script: dict[str, list[bool]] = defaultdict(list)
    for s in alarms:
        by_cat[s.category if s.category != "-" else s.label].append(verdict[s])
        by_script[s.script].append(verdict[s])
    recall = sum(verdict[s] for s in alarms) / max(1, len(alarms))
    fa = sum(verdict[s] for s in ordinary) / max(1, len(ordinary))
    print(f"{name}: recall {_rate(sum(verdict[s] for s in alarms), len(alarms))}   "
          f"false alarms {_rate(sum(verdict[s] for s in ordinary), len(ordinary))}")
    if detail:
        print("  recall by category: " + ", ".join(
            f"{c} {sum(v)}/{len(v)}" for c, v in sorted(by_cat.items())))
        print("  recall by script:   " + ", ".join(
            f"{c} {sum(v)}/{len(v)}" for c, v in sorted(by_script.items())))
        fa_script: dict[str, list[bool]] = defaultdict(list)
        fa_cat: dict[str, list[bool]] = defaultdict(list)
        for s in ordinary:
            fa_script[s.script].append(verdict[s])
            fa_cat[s.category].append(verdict[s])
        print("  false alarms by script: " + ", ".join(
            f"{c} {sum(v)}/{len(v)}" for c, v in sorted(fa_script.items())))
        if len(fa_cat) > 1 and len(fa_cat) < 20:
            print("  false alarms by kind:   " + ", ".join(
                f"{c} {sum(v)}/{len(v)}" for c, v in sorted(fa_cat.items())))
    errors = [f"  MISSED {s.label}/{s.category}/{s.script} ({s.source}): {s.text}"
              for s in alarms if not verdict[s]]
    errors += [f"  FALSE ALARM {s.category}/{s.script} ({s.source}) "
               f"[{safety.classify(s.text).evidence}]: {s.text}"
               for s in ordinary if verdict[s]]
    return recall, fa, errors


def latency(texts: list[str], detectors: dict[str, Callable[[str], bool]],
            repeats: int = 3) -> dict[str, list[float]]:
    """Seconds per call of each detector, interleaved message by message."""
    times: dict[str, list[float]] = {name: [] for name in detectors}
    for _ in range(repeats):
        for text in texts:
            for name, detector in detectors.items():
                started = time.perf_counter()
                detector(text)
                times[name].append(time.perf_counter() - started)
    return times


def _p95(values: list[float]) -> float:
    return sorted(values)[min(len(values) - 1, int(0.95 * len(values)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--errors", choices=("none", "dev", "all"), default="dev")
    parser.add_argument("--dev-only", action="store_true",
                        help="while changing the rules: development figures only")
    args = parser.parse_args(argv)

    dev = [s for path in DEV_FLAT for s in load(path)]
    dev += [s for path in DEV_NESTED for s in load(path)]
    heldout = [] if args.dev_only else load(HELDOUT)
    spent = [] if args.dev_only else load(HELDOUT_A)
    nlu = nlu_examples()

    print("== shipped: rules + model (bot/safety.py classify; model trained on development)")
    _, _, dev_errors = report("development", dev, shipped)
    recall, fa, heldout_errors = (report("HELD-OUT frozen B", heldout, shipped) if heldout
                                  else (0.0, 1.0, []))
    if spent:
        report("frozen A (seen after its one measure)", spent, shipped)
    _, _, nlu_errors = report("data/nlu (ordinary only)", nlu, shipped, detail=False)
    print("== rules alone (bot/safety.py classify_rules)")
    _, _, rule_dev_errors = report("development", dev, rules)
    if heldout:
        report("HELD-OUT frozen B", heldout, rules)
        report("frozen A (seen after its one measure)", spent, rules, detail=False)
    report("data/nlu (ordinary only)", nlu, rules, detail=False)
    print("== keyword baseline (same data)")
    report("development", dev, keyword_baseline, detail=False)
    if heldout:
        report("HELD-OUT frozen B", heldout, keyword_baseline)
    report("data/nlu (ordinary only)", nlu, keyword_baseline, detail=False)

    texts = [s.text for s in (*dev, *heldout, *spent, *nlu)][::3]  # every third message
    safety.safety_model.warm()  # training is not part of a message's latency
    times = latency(texts, {"shipped": shipped, "rules": rules, "keywords": keyword_baseline})
    print(f"== latency per message ({len(texts)} messages x 3, interleaved; trained model)")
    for name, values in times.items():
        print(f"  {name:<9} median {statistics.median(values) * 1e6:7.0f} µs   "
              f"p95 {_p95(values) * 1e6:7.0f} µs")
    for name in ("shipped", "rules"):
        ratio = statistics.median(times[name]) / max(1e-9, statistics.median(times["keywords"]))
        print(f"  {name} / keywords median ratio {ratio:.1f}")

    shown = [] if args.errors == "none" else (
        dev_errors + nlu_errors + [f"{line} [rules alone]" for line in rule_dev_errors])
    if args.errors == "all":
        shown += heldout_errors
    for line in shown:
        print(line)
    ok = recall >= TARGET_RECALL and fa <= TARGET_FALSE_ALARMS
    print(f"held-out target (recall >= {TARGET_RECALL}, false alarms <= "
          f"{TARGET_FALSE_ALARMS:.0%}): {'MET' if ok else 'NOT MET'}")
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
