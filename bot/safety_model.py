"""A statistical second opinion for the safety classifier: is this an emergency, self-harm, or
an ordinary pharmacy message?

Rules (bot/safety.py) know the hard negatives ("chest pain tablets", "had a stroke last
year", "seene mein jalan") but only the wordings someone listed; on wording they had not
seen they caught 0.75–0.85 of emergencies (bench/README.md). This model reads character
and word n-grams of the folded text (bot/safety_concepts.fold: Devanagari romanised,
vowel length folded), so it generalises across spellings and scripts.
:func:`probabilities` gives P(emergency), P(self_harm); bot/safety.py combines them with
the rules.

Trained in-process on first use (about 2 s; :func:`warm` starts it early) from the
development messages in bench/data/ and the NLU examples in data/nlu/ — never from the
frozen held-out sets (``safety_frozen_*``), which measure it. Deterministic (lbfgs, fixed
data order). When the data or scikit-learn is missing it is unavailable and
bot/safety.py falls back to the rules alone.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Any

import yaml

from bot.safety_concepts import fold

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "bench" / "data"
NLU_DIR = ROOT / "data" / "nlu"
# Development data only. The frozen held-out sets (safety_frozen_*.yml) are never read here.
TRAINING_FILES = (
    "safety_messages.yml", "safety_round2.yml", "safety_round3.yml", "safety_round4.yml",
    "safety_round5.yml", "safety_heldout.yml", "safety_dev_b.yml", "safety_dev_c.yml",
    "safety_dev_d.yml", "safety_dev_e.yml", "safety_dev_f.yml", "safety_dev_g.yml",
    "safety_dev_h.yml",
)
EMERGENCY, SELF_HARM, ORDINARY = "emergency", "self_harm", "ordinary"
_INTENT_LABEL = {"medical_emergency": EMERGENCY, "self_harm": SELF_HARM}
_ANNOTATION = re.compile(r"\[([^\]]+)\]\{[^}]*\}|\[([^\]]+)\]\([^)]*\)")

_lock = threading.Lock()
_model: Any = None
_failed = False


def _texts(block: Any) -> list[str]:
    """Messages of a flat list or of a nested ``category -> script -> messages`` block."""
    if isinstance(block, list):
        return [str(t) for t in block]
    if isinstance(block, dict):
        return [t for value in block.values() for t in _texts(value)]
    return []


def training_data() -> list[tuple[str, str]]:
    """(text, label) pairs: bench development files, then every NLU example."""
    pairs: list[tuple[str, str]] = []
    for name in TRAINING_FILES:
        if name.startswith("safety_frozen"):
            raise ValueError("frozen held-out sets are never training data")
        path = DATA_DIR / name
        if not path.exists():
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for label in (EMERGENCY, SELF_HARM, ORDINARY):
            pairs += [(text, label) for text in _texts(doc.get(label))]
    for path in sorted(NLU_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for block in doc.get("nlu") or []:
            intent, examples = block.get("intent"), block.get("examples")
            if not intent or not examples:
                continue
            label = _INTENT_LABEL.get(intent, ORDINARY)
            for line in str(examples).splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = _ANNOTATION.sub(lambda m: m.group(1) or m.group(2), line[2:])
                    pairs.append((text, label))
    return pairs


def _features(text: str) -> str:
    from bot.safety import normalise  # bot.safety imports this module

    return fold(normalise(text))


def _train() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    pairs = training_data()
    if not any(label != ORDINARY for _, label in pairs):
        raise ValueError("no emergency or self-harm examples to learn from")
    features = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True),
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
    )
    model = make_pipeline(features, LogisticRegression(C=10, class_weight="balanced",
                                                       max_iter=2000))
    model.fit([_features(text) for text, _ in pairs], [label for _, label in pairs])
    return model


def model() -> Any:
    """The trained model (trained once per process), or None when it can't be."""
    global _model, _failed
    if _model is not None or _failed:
        return _model
    with _lock:
        if _model is None and not _failed:
            try:
                _model = _train()
            except Exception:  # no data, no scikit-learn: the rules still answer
                log.exception("safety model unavailable; rules alone")
                _failed = True
    return _model


def warm(background: bool = False) -> None:
    """Train now (or in a daemon thread), so the first customer does not wait."""
    if background:
        threading.Thread(target=model, name="safety-model", daemon=True).start()
    else:
        model()


def probabilities(text: str) -> dict[str, float] | None:
    """P(emergency), P(self_harm) and P(ordinary) for one message; None without a model."""
    trained = model()
    if trained is None:
        return None
    row = trained.predict_proba([_features(text)])[0]
    return {str(label): float(p) for label, p in zip(trained.classes_, row, strict=True)}
