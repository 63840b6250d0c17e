import shutil
from pathlib import Path

from runtime.training import TRAINING_INPUTS, data_fingerprint, model_path

REPO = Path(__file__).resolve().parents[1]


def _copy_training_inputs(target: Path) -> None:
    for name in TRAINING_INPUTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target / name)


def test_fingerprint_changes_only_when_training_data_changes(tmp_path):
    _copy_training_inputs(tmp_path)
    before = data_fingerprint(tmp_path)
    (tmp_path / "README.md").write_text("not training data")
    assert data_fingerprint(tmp_path) == before

    nlu = tmp_path / "bot" / "data" / "nlu" / "smalltalk.yml"
    nlu.write_text(nlu.read_text() + "\n")
    assert data_fingerprint(tmp_path) != before


def test_the_model_file_is_named_by_fingerprint(tmp_path):
    assert model_path(tmp_path, "abc123") == tmp_path / "abc123.tar.gz"
