"""The model is retrained when anything it is built from changes, and only then."""

from __future__ import annotations

from pathlib import Path

from bot.runtime.training import fingerprint, training_inputs


def _project(tmp_path: Path) -> Path:
    (tmp_path / "components").mkdir()
    (tmp_path / "bot").mkdir()
    (tmp_path / "domain").mkdir()
    (tmp_path / "data" / "nlu").mkdir(parents=True)
    (tmp_path / "config.yml").write_text("pipeline:\n- name: components.tok.Tokenizer\n")
    (tmp_path / "domain" / "base.yml").write_text("version: '3.1'\n")
    (tmp_path / "data" / "nlu" / "greet.yml").write_text("version: '3.1'\n")
    (tmp_path / "components" / "tok.py").write_text(
        "from components.table import romanise\nfrom bot import words\n")
    (tmp_path / "components" / "table.py").write_text("import bot.letters\n")
    (tmp_path / "bot" / "words.py").write_text("WORDS = 1\n")
    (tmp_path / "bot" / "letters.py").write_text("LETTERS = 1\n")
    (tmp_path / "components" / "stores.py").write_text("# the tracker store: not trained\n")
    return tmp_path


def test_components_and_what_they_import_are_inputs(tmp_path):
    root = _project(tmp_path)
    names = {str(p.relative_to(root)) for p in training_inputs(root)}
    assert names == {"config.yml", "domain/base.yml", "data/nlu/greet.yml", "components/tok.py",
                     "components/table.py", "bot/words.py", "bot/letters.py"}
    before = fingerprint(root)
    (root / "components" / "stores.py").write_text("# changed, still not trained\n")
    assert fingerprint(root) == before
    (root / "bot" / "letters.py").write_text("LETTERS = 2\n")  # imported two steps away
    assert fingerprint(root) != before
