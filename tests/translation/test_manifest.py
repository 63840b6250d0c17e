"""The model manifest, the on-disk layout of downloaded / converted models, and `shopbot models ...`."""

import argparse
import hashlib
import socket
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from shopbot import models_cli
from translation.languages import LAUNCH_LANGUAGES
from translation.manifest import (
    REPO_ROOT,
    Manifest,
    converted,
    ct2_dir,
    get_manifest,
    hf_dir,
    installed,
    load_lock,
    load_manifest,
    model_for,
    models_dir,
)


@pytest.fixture(autouse=True)
def unreachable_network(monkeypatch):
    """Like a machine without internet: name lookups and connections fail at once."""

    def fail(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "no network in tests")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    monkeypatch.setattr(socket.socket, "connect", fail)


def run(root: Path, *argv: str) -> None:
    parser = argparse.ArgumentParser(prog="shopbot")
    models_cli.add_models_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["models", "--models-dir", str(root), *argv])
    args.func(args)


def fake_checkpoint(directory: Path, weights: str = "model.safetensors") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "config.json").write_text("{}")
    (directory / weights).write_bytes(b"weights")


def test_every_launch_language_has_both_directions():
    manifest = get_manifest()
    for language in LAUNCH_LANGUAGES:
        if language == "en":
            continue
        for src, tgt in [(language, "en"), ("en", language)]:
            entry = manifest.model_for(src, tgt)
            assert entry is not None, f"{src}->{tgt}"
            assert entry.revision and entry.license
            if entry.architecture == "nllb":
                assert entry.repo == "facebook/nllb-200-distilled-600M" and entry.license == "CC-BY-NC-4.0"
                assert entry.src_code and entry.tgt_code
            else:
                assert entry.repo.startswith("Helsinki-NLP/opus-mt-")
                assert entry.license in {"Apache-2.0", "CC-BY-4.0"}
    assert sorted(manifest.languages()) == sorted(code for code in LAUNCH_LANGUAGES if code != "en")
    assert model_for("es", "en").repo == "Helsinki-NLP/opus-mt-es-en"
    assert model_for("en", "th").tgt_code == "tha_Thai" and model_for("ms", "en").src_code == "zsm_Latn"
    assert model_for("en", "ja").architecture == "nllb"  # opus-mt-en-jap is a Bible-domain model
    assert model_for("xx", "en") is None


def test_portuguese_defaults_to_bergamot():
    assert {model_for("pt", "en").default_backend, model_for("en", "pt").default_backend} == {"bergamot"}
    assert model_for("es", "en").default_backend is None


def test_manifest_validation(tmp_path):
    bad = tmp_path / "manifest.yml"
    bad.write_text("models:\n  - {src: en, tgt: th, repo: facebook/nllb-200-distilled-600M, architecture: nllb,"
                   " license: CC-BY-NC-4.0}\n")
    with pytest.raises(ValidationError, match="src_code and tgt_code"):
        load_manifest(bad)
    entry = {"repo": "r/m", "architecture": "marian", "license": "x"}
    with pytest.raises(ValidationError, match="two revisions"):
        Manifest(models=[{**entry, "src": "a", "tgt": "en", "revision": "1"},
                         {**entry, "src": "en", "tgt": "a", "revision": "2"}])
    with pytest.raises(ValidationError, match="listed twice"):
        Manifest(models=[{**entry, "src": "a", "tgt": "en"}, {**entry, "src": "a", "tgt": "en"}])


def test_directory_convention(monkeypatch, tmp_path):
    entry = model_for("es", "en")
    assert hf_dir(entry, tmp_path) == tmp_path / "hf" / "Helsinki-NLP__opus-mt-es-en"
    assert ct2_dir(entry, tmp_path) == tmp_path / "ct2" / "Helsinki-NLP__opus-mt-es-en"
    monkeypatch.delenv("TRANSLATION_MODELS_DIR", raising=False)
    assert models_dir() == REPO_ROOT / "models" == Path(__file__).resolve().parents[2] / "models"
    monkeypatch.setenv("TRANSLATION_MODELS_DIR", str(tmp_path))
    assert models_dir() == tmp_path and hf_dir(entry) == tmp_path / "hf" / "Helsinki-NLP__opus-mt-es-en"


def test_installed_needs_config_and_weights(tmp_path):
    directory = hf_dir(model_for("es", "en"), tmp_path)
    assert not installed("es", "en", tmp_path)
    directory.mkdir(parents=True)
    (directory / "config.json").write_text("{}")
    assert not installed("es", "en", tmp_path)  # an interrupted download
    (directory / "pytorch_model.bin").write_bytes(b"weights")
    assert installed("es", "en", tmp_path) and not installed("en", "es", tmp_path)
    assert not installed("xx", "en", tmp_path)
    assert not converted("es", "en", tmp_path)
    target = ct2_dir(model_for("es", "en"), tmp_path)
    target.mkdir(parents=True)
    (target / "config.json").write_text("{}")
    (target / "model.bin").write_bytes(b"weights")
    assert converted("es", "en", tmp_path)


def test_download_patterns_take_one_weights_format():
    files = ["config.json", "pytorch_model.bin", "tf_model.h5", "rust_model.ot", "flax_model.msgpack",
             "model.safetensors", "source.spm", "target.spm", "vocab.json", "README.md"]
    assert models_cli.download_patterns(files) == ["*.json", "*.spm", "*.model", "*.safetensors"]
    assert models_cli.download_patterns([f for f in files if f != "model.safetensors"])[-1] == "pytorch_model*.bin"


def test_download_without_internet_says_where_to_copy(monkeypatch, tmp_path, capsys):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", False)  # really try: the lookup fails
    monkeypatch.setattr(time, "sleep", lambda seconds: None)  # without the hub's retry back-off
    with pytest.raises(SystemExit, match="2 of 2 models failed"):
        run(tmp_path, "download", "es")
    errors = capsys.readouterr().err
    for repo in ("Helsinki-NLP__opus-mt-es-en", "Helsinki-NLP__opus-mt-en-es"):
        assert (f"cannot reach the Hugging Face hub; copy the model directory to {tmp_path / 'hf' / repo} instead"
                in errors)


def test_download_in_hub_offline_mode(monkeypatch, tmp_path, capsys):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    with pytest.raises(SystemExit):
        run(tmp_path, "download", "ms")
    assert "cannot reach the Hugging Face hub; copy the model directory to" in capsys.readouterr().err


class FakeHub:
    """The hub's API as `shopbot models download` uses it: each repo's branches point at commits, which can move."""

    def __init__(self, monkeypatch) -> None:
        import huggingface_hub

        self.heads: dict[str, str] = {}
        self.downloads: list[tuple[str, str, list[str]]] = []
        hub = self

        def model_info(api, repo_id, *, revision):
            commit = revision if len(revision) == 40 else hub.heads.setdefault(repo_id, hub.commit(repo_id, 1))
            return SimpleNamespace(sha=commit)

        def snapshot_download(repo_id, *, revision, local_dir, allow_patterns):
            hub.downloads.append((repo_id, revision, allow_patterns))
            fake_checkpoint(Path(local_dir))
            return str(local_dir)

        monkeypatch.setattr(huggingface_hub.HfApi, "model_info", model_info)
        monkeypatch.setattr(huggingface_hub.HfApi, "list_repo_files",
                            lambda api, repo_id, revision: ["config.json", "model.safetensors", "vocab.json"])
        monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)

    @staticmethod
    def commit(repo: str, number: int) -> str:
        return hashlib.sha1(f"{repo}#{number}".encode()).hexdigest()


def test_download_fetches_each_repo_once(monkeypatch, tmp_path, capsys):
    hub = FakeHub(monkeypatch)
    calls = hub.downloads
    run(tmp_path, "download", "ja", "ko")
    repos = [call[0] for call in calls]
    assert repos == ["Helsinki-NLP/opus-mt-ja-en", "facebook/nllb-200-distilled-600M", "Helsinki-NLP/opus-mt-ko-en"]
    assert all(revision == hub.commit(repo, 1) and patterns[-1] == "*.safetensors"
               for repo, revision, patterns in calls)
    assert installed("en", "ko", tmp_path) and installed("ko", "en", tmp_path)
    assert "non-commercial licence" in capsys.readouterr().out
    run(tmp_path, "download", "ko")  # already there: nothing fetched again
    assert len(calls) == 3


def test_download_records_the_commit_and_fetches_it_again_after_the_branch_moved(monkeypatch, tmp_path, capsys):
    hub = FakeHub(monkeypatch)
    repo, first = "Helsinki-NLP/opus-mt-es-en", FakeHub.commit("Helsinki-NLP/opus-mt-es-en", 1)
    run(tmp_path, "download", "es")
    assert load_lock(tmp_path)[repo].model_dump() == {"revision": "main", "commit": first}
    assert f"commit {first}, locked in {tmp_path / 'manifest.lock.yml'}" in capsys.readouterr().out

    # main moves on the hub; a fresh machine with the same lock still gets the first commit
    hub.heads[repo] = FakeHub.commit(repo, 2)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "manifest.lock.yml").write_text((tmp_path / "manifest.lock.yml").read_text())
    run(fresh, "download", "es")
    assert [revision for name, revision, _ in hub.downloads if name == repo] == [first, first]
    assert (hf_dir(model_for("es", "en"), fresh) / ".commit").read_text().strip() == first
    assert load_lock(fresh)[repo].commit == first


def test_download_replaces_a_directory_at_another_commit(monkeypatch, tmp_path, capsys):
    hub = FakeHub(monkeypatch)
    run(tmp_path, "download", "es")
    directory = hf_dir(model_for("es", "en"), tmp_path)
    (directory / ".commit").write_text("0" * 40)
    run(tmp_path, "download", "es")
    out = capsys.readouterr().out
    assert f"holds commit {'0' * 40}, the lock says {FakeHub.commit('Helsinki-NLP/opus-mt-es-en', 1)}" in out
    assert len(hub.downloads) == 3 and "already downloaded" in out  # en-es was at its locked commit
    assert (directory / ".commit").read_text().strip() == FakeHub.commit("Helsinki-NLP/opus-mt-es-en", 1)


def test_download_refuses_a_locked_commit_the_hub_no_longer_serves(monkeypatch, tmp_path, capsys):
    import huggingface_hub

    FakeHub(monkeypatch)
    run(tmp_path, "download", "es")
    monkeypatch.setattr(huggingface_hub.HfApi, "model_info",
                        lambda api, repo_id, *, revision: SimpleNamespace(sha="f" * 40))
    with pytest.raises(SystemExit, match="2 of 2 models failed"):
        run(tmp_path, "download", "es", "--force")
    assert f"the hub serves {'f' * 40} for the locked commit" in capsys.readouterr().err
    assert load_lock(tmp_path)["Helsinki-NLP/opus-mt-es-en"].commit == FakeHub.commit("Helsinki-NLP/opus-mt-es-en", 1)


def test_download_rejects_unknown_languages(tmp_path):
    with pytest.raises(SystemExit, match="no models for xx, en"):
        run(tmp_path, "download", "xx", "en")


def test_convert_needs_ctranslate2(monkeypatch, tmp_path):
    monkeypatch.setattr(models_cli, "ctranslate2_available", lambda: False)
    fake_checkpoint(hf_dir(model_for("es", "en"), tmp_path))
    with pytest.raises(models_cli.ModelsError, match="ctranslate2 is not installed"):
        models_cli.convert_model(model_for("es", "en"), tmp_path)


def test_list_shows_pairs_licences_and_state(tmp_path, capsys):
    fake_checkpoint(hf_dir(model_for("es", "en"), tmp_path))
    run(tmp_path, "list")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["pair", "model", "licence", "installed", "converted"]
    rows = {line.split()[0]: line.split() for line in lines[1:] if "->" in line}
    assert len(rows) == 30
    assert rows["es->en"][1:5] == ["Helsinki-NLP/opus-mt-es-en", "Apache-2.0", "yes", "no"]
    assert rows["en->es"][3:5] == ["no", "no"]
    assert rows["en->th"][1:3] == ["facebook/nllb-200-distilled-600M", "CC-BY-NC-4.0"]
    assert "bergamot" in " ".join(rows["pt->en"])
