"""Train the Rasa model only when it is missing or its inputs changed."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

from bot.config import ROOT

MODEL_NAME = "pharmacy"
DOMAIN_DIR = ROOT / "domain"  # Rasa merges every file in it
MODEL_PATH = ROOT / "models" / f"{MODEL_NAME}.tar.gz"
FINGERPRINT_PATH = ROOT / "models" / f"{MODEL_NAME}.fingerprint"


def training_inputs(root: Path = ROOT) -> list[Path]:
    """Every file whose change must retrain the model."""
    files = [root / "config.yml"]
    files += sorted((root / "domain").rglob("*.yml"))
    files += sorted((root / "data").rglob("*.yml"))
    # Custom graph components named in config.yml (not e.g. the tracker/lock stores), and the
    # project modules they import, directly or not (a tokenizer's transliteration table).
    config_text = (root / "config.yml").read_text() if (root / "config.yml").exists() else ""
    modules = [f"components.{m}" for m in sorted(set(re.findall(r"components\.(\w+)\.",
                                                                config_text)))]
    files += _with_project_imports(root, modules)
    return [f for f in files if f.is_file()]


_IMPORT = re.compile(r"^\s*(?:from\s+((?:components|bot)(?:\.\w+)*)\s+import\s+([\w, ()]+)"
                     r"|import\s+((?:components|bot)(?:\.\w+)+))", re.MULTILINE)


def _with_project_imports(root: Path, modules: list[str]) -> list[Path]:
    """Source files of ``modules`` and of every ``components``/``bot`` module they import."""
    seen: dict[str, Path] = {}
    todo = list(modules)
    while todo:
        name = todo.pop()
        path = root.joinpath(*name.split(".")).with_suffix(".py")
        if name in seen or not path.is_file():
            continue
        seen[name] = path
        for package, names, plain in _IMPORT.findall(path.read_text()):
            if plain:
                todo.append(plain)
                continue
            todo.append(package)
            todo += [f"{package}.{n.strip()}" for n in names.strip("()").split(",") if n.strip()]
    return sorted(seen.values())


def fingerprint(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for path in training_inputs(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def is_stale() -> bool:
    if not MODEL_PATH.exists() or not FINGERPRINT_PATH.exists():
        return True
    return FINGERPRINT_PATH.read_text().strip() != fingerprint()


def train_if_stale(force: bool = False) -> bool:
    """Run ``rasa train`` when needed; True if a model was trained."""
    if not force and not is_stale():
        return False
    stamp = fingerprint()
    rasa = Path(sys.executable).parent / "rasa"
    cmd = [str(rasa), "train", "--domain", str(DOMAIN_DIR), "--fixed-model-name", MODEL_NAME,
           "--out", str(ROOT / "models")]
    print("training the Rasa model (inputs changed or no model yet) ...", flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, env={**os.environ})
    FINGERPRINT_PATH.write_text(stamp + "\n")
    return True
