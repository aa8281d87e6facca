"""Neither the action server nor the Rasa pipeline imports torch (or sentence-transformers).

Each check runs in a fresh interpreter (``python -c``): this test process may have torch
loaded already by other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "sentence_transformers", "transformers")


def _loaded_after(code: str) -> dict[str, bool]:
    probe = code + (
        "\nimport json, sys\n"
        f"print(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_medicine_matcher_and_action_server_modules_do_not_import_torch() -> None:
    loaded = _loaded_after(
        "import bot.runtime.action_server, actions.medicines, actions.reorder\n"
        "from rasa_sdk.executor import ActionExecutor\n"
        "ActionExecutor().register_package('actions')\n"
        "from bot import matching\n"
        "meds = [{'sku': 'D650', 'brand': 'Dolo 650', 'generic': 'paracetamol',"
        " 'strength': '650 mg', 'form': 'tablet'},"
        " {'sku': 'T50', 'brand': 'Thyronorm 50', 'generic': 'thyroxine',"
        " 'strength': '50 mcg', 'form': 'tablet'}]\n"
        "matching.warm_up(meds)\n"
        "assert matching.match_medicines(meds, 'dollo 650')[0]['sku'] == 'D650'\n"
        "assert not matching._semantic_disabled\n"
    )
    assert loaded == dict.fromkeys(HEAVY, False)


def test_rasa_pipeline_components_do_not_import_torch() -> None:
    loaded = _loaded_after(
        "import yaml, importlib\n"
        "import rasa.core.agent, rasa.engine.recipes.default_recipe\n"
        "config = yaml.safe_load(open('config.yml'))\n"
        "for step in config['pipeline'] + config['policies']:\n"
        "    module, _, _ = step['name'].rpartition('.')\n"
        "    if module:\n"
        "        importlib.import_module(module)\n"
        "from components.minilm import load_model\n"
        "assert load_model().encode(['where is my order']).shape == (1, 384)\n"
    )
    assert loaded == dict.fromkeys(HEAVY, False)
