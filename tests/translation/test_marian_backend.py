"""The transformers and CTranslate2 backends on tiny random models built here, through the same code as real ones.

Nothing may reach the network: the hub is in offline mode and any socket connection fails the test.
"""

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # before transformers / huggingface_hub read it
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

pytest.importorskip("torch", reason="machine-translation dependencies are not installed")
pytest.importorskip("transformers", reason="machine-translation dependencies are not installed")
pytest.importorskip("sentencepiece", reason="machine-translation dependencies are not installed")

from tests.translation.tiny_marian import SPANISH, build_tiny_marian, build_tiny_nllb  # noqa: E402
from translation.backends.base import TranslationError  # noqa: E402
from translation.backends.ctranslate2_backend import CTranslate2Backend, ctranslate2_available  # noqa: E402
from translation.backends.marian import MarianBackend, encode, max_new_tokens  # noqa: E402
from translation.manifest import get_manifest, hf_dir  # noqa: E402


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    def refuse(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            raise AssertionError(f"network access attempted: {address}")
        return real_connect(self, address, *args)

    real_connect = socket.socket.connect
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)


@pytest.fixture(scope="module")
def models_root(tmp_path_factory) -> Path:
    """A models directory with a tiny es->en Marian and a tiny NLLB, where the manifest says they belong."""
    root = tmp_path_factory.mktemp("models")
    manifest = get_manifest()
    build_tiny_marian(hf_dir(manifest.model_for("es", "en"), root))
    build_tiny_nllb(hf_dir(manifest.model_for("en", "ja"), root))
    return root


@pytest.fixture(scope="module")
def backend(models_root) -> MarianBackend:
    return MarianBackend(models_root, threads=1)


def longest_piece(models_root: Path) -> int:
    vocab = json.loads((hf_dir(get_manifest().model_for("es", "en"), models_root) / "vocab.json").read_text())
    return max(len(piece) for piece in vocab)


def test_supports_only_installed_pairs_without_loading(models_root):
    fresh = MarianBackend(models_root)
    assert fresh.supports(src_lang="es", tgt_lang="en")
    assert not fresh.supports(src_lang="en", tgt_lang="es")  # in the manifest, not downloaded
    assert not fresh.supports(src_lang="xx", tgt_lang="en")  # not in the manifest
    # One NLLB download serves every pair that names it.
    assert all(fresh.supports(src_lang=s, tgt_lang=t) for s, t in [("en", "ja"), ("en", "ko"), ("ms", "en")])
    assert fresh._models == {}


def test_batch_gives_one_output_per_input_in_order(backend):
    texts = [*SPANISH[:5], "", "   "]
    outputs = backend.translate(texts, src_lang="es", tgt_lang="en")
    assert len(outputs) == len(texts) and all(isinstance(output, str) for output in outputs)
    assert outputs[5:] == ["", ""]  # blanks are not sent to the model
    assert len(set(outputs[:5])) > 1  # random weights, but the output depends on the input
    reordered = backend.translate(texts[:5][::-1], src_lang="es", tgt_lang="en")
    assert reordered == outputs[:5][::-1]
    # Alone, the longest input gets the same output budget as in the batch, so the same output.
    tokens = tokenizer_of(backend, "es", "en")(texts[:5])["input_ids"]
    longest = max(range(5), key=lambda index: len(tokens[index]))
    assert backend.translate([texts[longest]], src_lang="es", tgt_lang="en") == [outputs[longest]]


def tokenizer_of(backend: MarianBackend, src: str, tgt: str):
    (tokenizer, _model), _lock = backend._get(backend.manifest.model_for(src, tgt))
    return tokenizer


def test_large_batches_run_in_chunks(models_root, backend):
    one_at_a_time = MarianBackend(models_root, max_batch_size=1)
    texts = SPANISH[:4]
    assert one_at_a_time.translate(texts, src_lang="es", tgt_lang="en") == [
        backend.translate([text], src_lang="es", tgt_lang="en")[0] for text in texts]


def test_output_length_is_bounded(models_root, backend):
    assert max_new_tokens(10) == 28 and max_new_tokens(10_000) == 256
    piece = longest_piece(models_root) + 1  # a generated token decodes to at most this many characters
    text = SPANISH[0]
    tokens = len(encode(tokenizer_of(backend, "es", "en"), backend.manifest.model_for("es", "en"), [text], 256)
                 ["input_ids"][0])
    assert len(backend.translate([text], src_lang="es", tgt_lang="en")[0]) <= max_new_tokens(tokens) * piece
    capped = MarianBackend(models_root, max_output_tokens=3)
    assert all(len(output) <= 3 * piece for output in capped.translate(SPANISH[:3], src_lang="es", tgt_lang="en"))


def test_pair_without_a_model_or_bad_input_raises(backend):
    with pytest.raises(TranslationError, match="no model installed for en->es"):
        backend.translate(["Where is my order?"], src_lang="en", tgt_lang="es")
    with pytest.raises(TranslationError, match="no model for xx->en"):
        backend.translate(["hola"], src_lang="xx", tgt_lang="en")
    with pytest.raises(TranslationError, match="must be strings"):
        backend.translate(["hola", None], src_lang="es", tgt_lang="en")


def test_broken_model_raises_translation_error(models_root, tmp_path):
    entry = get_manifest().model_for("es", "en")
    shutil.copytree(hf_dir(entry, models_root), hf_dir(entry, tmp_path))
    (hf_dir(entry, tmp_path) / "config.json").write_text("{not json")
    with pytest.raises(TranslationError, match="es->en failed"):
        MarianBackend(tmp_path).translate(["hola"], src_lang="es", tgt_lang="en")


def test_nllb_sets_source_language_and_forces_target(backend):
    manifest = backend.manifest
    for src, tgt, code in [("ms", "en", "zsm_Latn"), ("en", "th", "eng_Latn")]:
        tokenizer = tokenizer_of(backend, src, tgt)
        ids = encode(tokenizer, manifest.model_for(src, tgt), ["hello"], 256)["input_ids"][0]
        assert tokenizer.convert_ids_to_tokens(ids)[0] == code
    (tokenizer, model), _lock = backend._get(manifest.model_for("en", "ja"))
    generated = []
    original = model.generate

    def spy(**kwargs):
        generated.append(original(**kwargs))
        return generated[-1]

    model.generate = spy
    try:
        for tgt in ("ja", "ko"):
            assert len(backend.translate(["Where is my order?"], src_lang="en", tgt_lang=tgt)) == 1
    finally:
        del model.generate
    # The decoder starts with </s>, then the forced target-language code.
    assert [tokenizer.convert_ids_to_tokens(int(ids[0, 1])) for ids in generated] == ["jpn_Jpan", "kor_Hang"]
    assert len(backend._models) == 2  # the Marian model and one shared NLLB model


def test_marian_language_token_prefix():
    entry = get_manifest().model_for("en", "ar")
    seen: list[str] = []

    def tokenizer(texts, **kwargs):
        seen.extend(texts)
        return {"input_ids": [[1, 2]]}

    encode(tokenizer, entry, ["Where is my order?"], 256)
    assert seen == [">>ara<< Where is my order?"]


def test_concurrent_first_use_loads_once(models_root):
    fresh = MarianBackend(models_root)
    loads: list[str] = []
    original = fresh._load

    def counting(entry):
        loads.append(entry.repo)
        return original(entry)

    fresh._load = counting
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(
        fresh.translate(SPANISH[:2], src_lang="es", tgt_lang="en"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert loads == ["Helsinki-NLP/opus-mt-es-en"] and len(results) == 4
    assert all(result == results[0] for result in results)


@pytest.mark.skipif(not ctranslate2_available(), reason="ctranslate2 is not installed")
def test_ctranslate2_backend_on_converted_models(models_root, tmp_path):
    from shopbot.models_cli import add_models_parser

    root = tmp_path / "models"
    shutil.copytree(models_root, root)
    fresh = CTranslate2Backend(root, threads=1)
    assert not fresh.supports(src_lang="es", tgt_lang="en")  # downloaded, not converted yet
    parser = argparse.ArgumentParser()
    add_models_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["models", "--models-dir", str(root), "convert", "es", "ja"])
    with pytest.raises(SystemExit, match="2 of 4 models failed"):  # opus-mt-en-es and -ja-en are not downloaded
        args.func(args)
    assert fresh.supports(src_lang="es", tgt_lang="en") and fresh.supports(src_lang="en", tgt_lang="ko")
    assert not fresh.supports(src_lang="en", tgt_lang="es")
    texts = [*SPANISH[:3], ""]
    outputs = fresh.translate(texts, src_lang="es", tgt_lang="en")
    assert len(outputs) == 4 and outputs[3] == "" and all(isinstance(output, str) for output in outputs)
    piece = longest_piece(models_root) + 1
    assert all(len(output) <= max_new_tokens(64) * piece for output in outputs)
    assert fresh.translate(texts[:3][::-1], src_lang="es", tgt_lang="en") == outputs[:3][::-1]
    assert isinstance(fresh.translate(["Where is my order?"], src_lang="en", tgt_lang="ja")[0], str)
    with pytest.raises(TranslationError):
        fresh.translate(["Where is my order?"], src_lang="en", tgt_lang="es")
