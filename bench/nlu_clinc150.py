"""CLINC150 intent accuracy and out-of-scope recall: our config.yml NLU pipeline vs Rasa's default.

Usage: $(make -s print-python) bench/nlu_clinc150.py [--data PATH] [--baseline-per-intent 30]
           [--no-oos-train] [--skip-baseline] [--skip-ours] [--config config.yml]

Data: ``../shared/benchmarks/clinc150/data_full.json`` (relative to the repo root; ``--data``
overrides): 150 intents x 100 train / 20 val / 30 test, plus out-of-scope (oos) queries
(100 train, 100 val, 1,000 test).

- Ours: the ``pipeline:`` of config.yml, trained on all 15,000 in-scope training examples plus
  the 100 ``oos_train`` queries as one more intent, ``out_of_scope`` (the same intent name the
  project uses; default, ``--no-oos-train`` leaves them out). Components that need entity
  annotations (DIET with ``intent_classification: false``) are dropped: CLINC150 has none.
- Baseline: the pipeline ``rasa init`` gives (Rasa's default_config.yml: DIET with 2
  transformer layers, 100 epochs, ResponseSelector, FallbackClassifier 0.3). Stock DIET is
  slow on two cores, so by default it trains on the first 30 examples of every intent (and the
  first 30 oos_train queries when ours uses oos_train); the exact subset is printed.
- Both are scored on all of val + oos_val (to choose the threshold) and test + oos_test
  (reported). An utterance is rejected as out of scope when the predicted intent is
  ``out_of_scope`` or the top intent probability < threshold. The threshold is chosen on
  val/oos_val only, never on test: the one with the highest val OOS recall among those that
  keep val in-scope accuracy within 1 point of its un-thresholded value.
- In-scope accuracy = test in-scope queries given the right intent and not rejected;
  OOS recall = oos_test queries rejected. Train time is wall-clock for ``train_nlu`` with
  Rasa's training cache off. Results also go to results/clinc150.json.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nlu_report as nr  # noqa: E402  (sets offline/quiet environment before Rasa imports)

ROOT = nr.ROOT
DEFAULT_DATA = ROOT / ".." / "shared" / "benchmarks" / "clinc150" / "data_full.json"
OOS = "out_of_scope"


def rasa_default_pipeline() -> list[dict]:
    from importlib.resources import files

    from rasa.shared.utils.io import read_yaml

    text = (files("rasa.engine.recipes") / "config_files" / "default_config.yml").read_text()
    return read_yaml(text)["pipeline"]


def our_pipeline(config: Path) -> tuple[list[dict], list[str]]:
    from rasa.shared.utils.io import read_yaml_file

    pipeline = copy.deepcopy(read_yaml_file(str(config))["pipeline"])
    dropped = []
    kept = []
    for step in pipeline:
        name = step["name"].split(".")[-1]
        entity_only = name == "DIETClassifier" and step.get("intent_classification") is False
        if entity_only or name in ("RegexEntityExtractor", "EntitySynonymMapper"):
            dropped.append(name)
            continue
        kept.append(step)
    return kept, dropped


def training_yaml(examples: list[tuple[str, str]], path: Path) -> Path:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.message import Message
    from rasa.shared.nlu.training_data.training_data import TrainingData

    data = TrainingData([Message.build(text=t, intent=i) for t, i in examples])
    RasaYAMLWriter().dump(path, data)
    return path


def per_intent_subset(rows: list[list[str]], n: int) -> list[tuple[str, str]]:
    seen: dict[str, int] = defaultdict(int)
    out = []
    for text, intent in rows:
        if seen[intent] < n:
            seen[intent] += 1
            out.append((text, intent))
    return out


def scores(preds: list[dict], gold: list[str], threshold: float) -> tuple[float, float]:
    ins_ok = ins_n = oos_ok = oos_n = 0
    for pred, want in zip(preds, gold, strict=True):
        intent, conf, _ = nr.raw_top(pred)
        rejected = intent == OOS or conf < threshold
        if want == OOS:
            oos_n += 1
            oos_ok += rejected
        else:
            ins_n += 1
            ins_ok += (not rejected) and intent == want
    return ins_ok / max(ins_n, 1), oos_ok / max(oos_n, 1)


def choose_threshold(preds: list[dict], gold: list[str]) -> tuple[float, list[tuple]]:
    grid = [round(t * 0.01, 2) for t in range(0, 100)]
    rows = [(t, *scores(preds, gold, t)) for t in grid]
    ceiling = rows[0][1]
    allowed = [r for r in rows if r[1] >= ceiling - 0.01]
    best = max(allowed, key=lambda r: (r[2], -r[0]))
    return best[0], rows


def run(label: str, pipeline: list[dict], train_rows: list[tuple[str, str]], splits: dict,
        workdir: Path) -> dict:
    config = nr.write_config(pipeline, workdir)
    nlu = training_yaml(train_rows, workdir / f"{label}.yml")
    counts = defaultdict(int)
    for _, intent in train_rows:
        counts[intent] += 1
    nr.log(f"{label}: training on {len(train_rows)} examples, {len(counts)} intents "
           f"({min(counts.values())}-{max(counts.values())} per intent) ...")
    model, seconds = nr.train(config, nlu, workdir, label)
    nr.log(f"{label}: trained in {seconds:.0f}s; parsing val/test ...")
    parser = nr.Parser(model)
    start = time.perf_counter()
    val_texts = splits["val_texts"]
    val_preds = parser.parse(val_texts)
    test_preds = parser.parse(splits["test_texts"])
    per_msg = 1000 * (time.perf_counter() - start) / (len(val_texts) + len(splits["test_texts"]))
    threshold, val_rows = choose_threshold(val_preds, splits["val_gold"])
    val_ins, val_oos = scores(val_preds, splits["val_gold"], threshold)
    test_ins, test_oos = scores(test_preds, splits["test_gold"], threshold)
    result = {
        "label": label, "train_examples": len(train_rows), "intents": len(counts),
        "train_seconds": round(seconds, 1), "parse_ms_per_message": round(per_msg, 1),
        "threshold": threshold, "val_in_scope_acc": val_ins, "val_oos_recall": val_oos,
        "test_in_scope_acc": test_ins, "test_oos_recall": test_oos,
        "test_at": {str(t): scores(test_preds, splits["test_gold"], t)
                    for t in (0.0, 0.3, 0.5, 0.7)},
        "val_sweep": [r for r in val_rows if round(r[0] * 100) % 5 == 0],
        "pipeline": pipeline,
    }
    nr.log(f"{label}: threshold {threshold:.2f} (val {val_ins:.3f}/{val_oos:.3f}) → TEST "
           f"in-scope {test_ins:.3f}, OOS recall {test_oos:.3f}; train {seconds:.0f}s")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--config", type=Path, default=nr.CONFIG)
    parser.add_argument("--baseline-per-intent", type=int, default=30)
    parser.add_argument("--no-oos-train", action="store_true")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-ours", action="store_true")
    args = parser.parse_args(argv)
    path = args.data if args.data.is_absolute() else (ROOT / args.data)
    if not path.exists():
        print(f"CLINC150 not found at {path} (use --data)", file=sys.stderr)
        return 2
    data = json.loads(path.read_text())
    use_oos = not args.no_oos_train

    def rows(split: str, oos_split: str) -> tuple[list[str], list[str]]:
        texts = [t for t, _ in data[split]] + [t for t, _ in data[oos_split]]
        gold = [i for _, i in data[split]] + [OOS] * len(data[oos_split])
        return texts, gold

    val_texts, val_gold = rows("val", "oos_val")
    test_texts, test_gold = rows("test", "oos_test")
    splits = {"val_texts": val_texts, "val_gold": val_gold,
              "test_texts": test_texts, "test_gold": test_gold}
    oos_train = [(t, OOS) for t, _ in data["oos_train"]]
    print(f"CLINC150 {path.resolve()}: train {len(data['train'])}, val {len(data['val'])}+"
          f"{len(data['oos_val'])} oos, test {len(data['test'])}+{len(data['oos_test'])} oos; "
          f"oos_train {'used as intent ' + OOS if use_oos else 'not used'}", flush=True)
    results: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M"), "data": str(path),
                               "oos_train_used": use_oos}
    with tempfile.TemporaryDirectory(prefix="clinc150-") as tmp:
        workdir = Path(tmp)
        if not args.skip_ours:
            pipeline, dropped = our_pipeline(args.config)
            names = " > ".join(s["name"].split(".")[-1] for s in pipeline)
            note = f"; dropped (need entity data): {', '.join(dropped)}" if dropped else ""
            print(f"ours: config.yml pipeline ({names}){note}", flush=True)
            train_rows = [(t, i) for t, i in data["train"]] + (oos_train if use_oos else [])
            results["ours"] = run("ours", pipeline, train_rows, splits, workdir)
        if not args.skip_baseline:
            n = args.baseline_per_intent
            subset = per_intent_subset(data["train"], n)
            if use_oos:
                subset += oos_train[:n]
            incl = f", incl. the first {min(n, len(oos_train))} oos_train" if use_oos else ""
            print(f"baseline: Rasa default (rasa init) pipeline on the first {n} training "
                  f"examples of each intent ({len(subset)} examples{incl})", flush=True)
            results["baseline"] = run("baseline", rasa_default_pipeline(), subset, splits,
                                      workdir)
    print("\n== CLINC150 test (threshold chosen on val/oos_val) ==")
    print(f"{'system':48} {'in-scope':>9} {'OOS rec':>8} {'thr':>5} {'train':>7}")
    for key in ("ours", "baseline"):
        if key in results:
            r = results[key]
            name = f"{key} ({r['train_examples']} train examples)"
            print(f"{name:48} {100 * r['test_in_scope_acc']:8.1f}% "
                  f"{100 * r['test_oos_recall']:7.1f}% {r['threshold']:5.2f} "
                  f"{r['train_seconds']:6.0f}s")
    print(f"{'published: BERT (oos-train)':48} {96.9:8.1f}% {40.3:7.1f}%")
    print(f"{'published: Rasa 2019 pipeline (oos-train)':48} {91.5:8.1f}% {45.3:7.1f}%")
    nr.RESULTS.mkdir(exist_ok=True)
    out = nr.RESULTS / "clinc150.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"details: {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
