"""Stock Rasa 3.6 for ``bench/load.py``: its default model config, tracker store and lock store.

"Stock" here means (see bench/README.md, section "load.py"):

* the model is trained from a ``config.yml`` exactly like the one ``rasa init`` writes (recipe,
  language, empty ``pipeline:`` and ``policies:``), so Rasa fills in its defaults
  (``rasa/engine/recipes/config_files/default_config.yml``: WhitespaceTokenizer, RegexFeaturizer,
  LexicalSyntacticFeaturizer, two CountVectorsFeaturizers, DIETClassifier 100 epochs,
  EntitySynonymMapper, ResponseSelector, FallbackClassifier 0.3/0.1; MemoizationPolicy,
  RulePolicy, UnexpecTEDIntentPolicy and TEDPolicy 100 epochs), with the project's
  ``domain/`` and ``data/``;
* the tracker store is Rasa's ``MongoTrackerStore`` (``type: mongod``) in the same MongoDB, its
  own collection; the lock store is Rasa's default (in memory: one process);
* no ``components/`` module is loaded except the gateway channel (the trust boundary the
  gateway needs), which imports neither ``components.rasa_speedups`` nor the project's stores
  (:func:`speedups_free` checks this in a fresh interpreter);
* the same action server (and its token) as the project's stack.

The model is trained once into ``models/stock-<fingerprint>.tar.gz`` (git-ignored) and reused
while Rasa's version, the domain and the data are unchanged. ``epochs`` (optional) trains the
same default pipeline and policies, written out from Rasa's default config, with fewer epochs
for DIET, ResponseSelector, UnexpecTED and TED: the graph and layer sizes, hence the cost of a
turn, are the same; the predictions may differ slightly (bench/README.md says which was used).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import yaml

from bot.config import ROOT
from bot.runtime import procs

# What `rasa init` writes, without its comments: Rasa supplies the default pipeline and policies.
STOCK_CONFIG = """\
recipe: default.v1
assistant_id: pharmacy-stock-baseline
language: en
pipeline:
policies:
"""
DEFAULT_CONFIG = "rasa/engine/recipes/config_files/default_config.yml"
MODELS_DIR = ROOT / "models"
STOCK_COLLECTION = "conversations_stock"


def stock_config(epochs: int | None = None) -> str:
    """The stock config text: ``rasa init``'s, or Rasa's defaults written out with ``epochs``."""
    if epochs is None:
        return STOCK_CONFIG
    import rasa

    default = yaml.safe_load((Path(rasa.__file__).parent.parent / DEFAULT_CONFIG).read_text())
    default["assistant_id"] = "pharmacy-stock-baseline"
    for item in default["pipeline"] + default["policies"]:
        if "epochs" in item:
            item["epochs"] = epochs
    return yaml.safe_dump(default, sort_keys=False)


def stock_inputs(root: Path = ROOT) -> list[Path]:
    """The files the stock model is trained from (domain and data, as the project's model)."""
    return sorted((root / "domain").rglob("*.yml")) + sorted((root / "data").rglob("*.yml"))


def stock_fingerprint(root: Path = ROOT, epochs: int | None = None) -> str:
    """A short hash of Rasa's version, the stock config and every training input."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode() + stock_config(epochs).encode())
    for path in stock_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def stock_model_path(root: Path = ROOT, epochs: int | None = None) -> Path:
    return root / "models" / f"stock-{stock_fingerprint(root, epochs)}.tar.gz"


def train_stock_model(force: bool = False, epochs: int | None = None) -> Path:
    """The cached stock model, trained first when missing (minutes)."""
    model = stock_model_path(epochs=epochs)
    if model.exists() and not force:
        return model
    MODELS_DIR.mkdir(exist_ok=True)
    config = MODELS_DIR / f"{model.name.removesuffix('.tar.gz')}-config.yml"
    config.write_text(stock_config(epochs))
    rasa = Path(sys.executable).parent / "rasa"
    cmd = [str(rasa), "train", "--config", str(config),
           "--domain", str(ROOT / "domain"), "--data", str(ROOT / "data"),
           "--out", str(MODELS_DIR), "--fixed-model-name", model.name.removesuffix(".tar.gz")]
    print(f"training the stock Rasa model into {model} (minutes) ...", flush=True)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TQDM_DISABLE": "1"}
    subprocess.run(cmd, cwd=ROOT, check=True, env=env)
    return model


def render_stock_endpoints(env: dict[str, str], out: Path) -> Path:
    """Endpoints for stock Rasa: the stack's action server, ``MongoTrackerStore``, no lock store."""
    config = {
        "action_endpoint": {
            "url": env["ACTION_ENDPOINT_URL"],
            "headers": {"Authorization": f"Bearer {env['ACTION_SERVER_TOKEN']}"},
        },
        "tracker_store": {
            "type": "mongod",
            "url": env["MONGODB_URI"],
            "db": env["MONGODB_DB"],
            "collection": STOCK_COLLECTION,
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(yaml.safe_dump(config, sort_keys=False))
    return out


def speedups_free() -> bool:
    """True when importing the gateway channel pulls in no project speed-up or store."""
    code = ("import sys, components.gateway_channel; "
            "bad = [m for m in sys.modules if m in ('components.rasa_speedups', "
            "'components.stores', 'components.lock_store', 'components.intent_classifier')]; "
            "sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)}, check=False)
    return result.returncode == 0


def start_stock_rasa(env: dict[str, str], model: Path, run_dir: Path) -> tuple[procs.Managed, str]:
    """A stock ``rasa run`` on a free port with the gateway channel; (process, its URL).

    It gets the same thread settings as the stack's Rasa processes (deployment settings, not
    code: the comparison is of the code)."""
    from bot.runtime.stack import serving_threads

    port = str(procs.free_port())
    endpoints = render_stock_endpoints(env, run_dir / "endpoints-stock.yml")
    proc = procs.start(
        "rasa-stock",
        [sys.executable, "-m", "bot.runtime.rasa_server", "--port", port, "--model", str(model),
         "--endpoints", str(endpoints), "--credentials", str(ROOT / "credentials.yml")],
        env={**env, **serving_threads()}, run_dir=run_dir)
    return proc, f"http://127.0.0.1:{port}"


if __name__ == "__main__":  # train (or find) the cached stock model: [--force] [--epochs N]
    _epochs = int(sys.argv[sys.argv.index("--epochs") + 1]) if "--epochs" in sys.argv else None
    print(train_stock_model(force="--force" in sys.argv, epochs=_epochs))
