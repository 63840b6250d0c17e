"""The model manifest (models/manifest.yml) and where downloaded and converted models live on disk.

Layout under the models directory (env TRANSLATION_MODELS_DIR, default <repo>/models):
- hf/<repo id with / replaced by __>   weights as downloaded from the Hugging Face hub (transformers format)
- ct2/<same>                          the int8 CTranslate2 conversion of those weights
- manifest.lock.yml                   the hub commit each repo was downloaded at (commit it for reproducible installs)
- hf/<same>/.commit                   the commit that directory holds
"""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, model_validator

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "models" / "manifest.yml"

#: Any of these next to config.json means a transformers checkpoint is complete enough to load.
WEIGHT_FILES = ("model.safetensors", "model.safetensors.index.json",
                "pytorch_model.bin", "pytorch_model.bin.index.json")


class ModelEntry(BaseModel):
    """One translation direction and the hub model that serves it."""

    src: str
    tgt: str
    repo: str
    revision: str = "main"
    architecture: Literal["marian", "nllb"]
    license: str
    #: Marian models with several target languages need a token such as ">>ara<<" before the source text.
    prefix: str | None = None
    #: NLLB-200 language codes (e.g. eng_Latn, tha_Thai).
    src_code: str | None = None
    tgt_code: str | None = None
    #: Another backend that serves this pair first (e.g. "bergamot" for Portuguese).
    default_backend: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def nllb_needs_codes(self) -> "ModelEntry":
        if self.architecture == "nllb" and not (self.src_code and self.tgt_code):
            raise ValueError(f"{self.src}->{self.tgt}: NLLB entries need src_code and tgt_code")
        return self

    @property
    def dir_name(self) -> str:
        return self.repo.replace("/", "__")


class Manifest(BaseModel):
    models: list[ModelEntry]

    @model_validator(mode="after")
    def consistent(self) -> "Manifest":
        pairs: set[tuple[str, str]] = set()
        revisions: dict[str, str] = {}
        for entry in self.models:
            if (entry.src, entry.tgt) in pairs:
                raise ValueError(f"{entry.src}->{entry.tgt} is listed twice")
            pairs.add((entry.src, entry.tgt))
            # One directory per repo: every pair it serves must pin the same revision.
            if revisions.setdefault(entry.repo, entry.revision) != entry.revision:
                raise ValueError(f"{entry.repo} is pinned to two revisions")
        return self

    def model_for(self, src: str, tgt: str) -> ModelEntry | None:
        return next((entry for entry in self.models if entry.src == src and entry.tgt == tgt), None)

    def for_language(self, language: str) -> list[ModelEntry]:
        """Both directions (language->en, en->language) of a non-English language."""
        return [entry for entry in self.models if language in (entry.src, entry.tgt) and language != "en"]

    def languages(self) -> list[str]:
        seen = dict.fromkeys(code for entry in self.models for code in (entry.src, entry.tgt))
        return [code for code in seen if code != "en"]


def load_manifest(path: Path | None = None) -> Manifest:
    with open(path or MANIFEST_PATH, encoding="utf-8") as handle:
        return Manifest.model_validate(yaml.safe_load(handle))


@lru_cache
def get_manifest() -> Manifest:
    return load_manifest()


def model_for(src: str, tgt: str) -> ModelEntry | None:
    return get_manifest().model_for(src, tgt)


def models_dir() -> Path:
    return Path(os.environ.get("TRANSLATION_MODELS_DIR") or REPO_ROOT / "models")


def hf_dir(entry: ModelEntry, root: Path | None = None) -> Path:
    return (root or models_dir()) / "hf" / entry.dir_name


def ct2_dir(entry: ModelEntry, root: Path | None = None) -> Path:
    return (root or models_dir()) / "ct2" / entry.dir_name


class LockedRevision(BaseModel):
    """The commit a manifest revision (a branch, tag or hash) resolved to when the repo was first downloaded."""

    revision: str
    commit: str


LOCK_NAME = "manifest.lock.yml"
COMMIT_FILE = ".commit"


def lock_path(root: Path | None = None) -> Path:
    return (root or models_dir()) / LOCK_NAME


def load_lock(root: Path | None = None) -> dict[str, LockedRevision]:
    """Repo id to its locked commit; empty when nothing was downloaded yet."""
    path = lock_path(root)
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {repo: LockedRevision.model_validate(locked) for repo, locked in data.items()}


def save_lock(lock: dict[str, LockedRevision], root: Path | None = None) -> None:
    path = lock_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump({repo: locked.model_dump() for repo, locked in sorted(lock.items())}, sort_keys=False)
    path.write_text("# Written by `shopbot models download`: the hub commit each model repo was downloaded at.\n"
                    "# Later downloads fetch exactly these commits; delete an entry to follow the manifest again.\n"
                    + body, encoding="utf-8")


def downloaded_commit(directory: Path) -> str | None:
    """The hub commit a downloaded directory holds (None for a directory copied by hand)."""
    path = directory / COMMIT_FILE
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def has_weights(directory: Path) -> bool:
    """A transformers checkpoint: config.json plus a weights file."""
    return (directory / "config.json").is_file() and any((directory / name).is_file() for name in WEIGHT_FILES)


def has_ct2_model(directory: Path) -> bool:
    return (directory / "model.bin").is_file() and (directory / "config.json").is_file()


def installed(src: str, tgt: str, root: Path | None = None, manifest: Manifest | None = None) -> bool:
    """Whether the pair's model has been downloaded (or copied) into the models directory."""
    entry = (manifest or get_manifest()).model_for(src, tgt)
    return entry is not None and has_weights(hf_dir(entry, root))


def converted(src: str, tgt: str, root: Path | None = None, manifest: Manifest | None = None) -> bool:
    """Whether the pair's model has an int8 CTranslate2 conversion."""
    entry = (manifest or get_manifest()).model_for(src, tgt)
    return entry is not None and has_ct2_model(ct2_dir(entry, root))
