"""`shopbot models ...`: download machine-translation models from the Hugging Face hub, convert them to
CTranslate2 int8 and list what is installed. The only code that fetches models; the service never does.
"""

import argparse
import shutil
import sys
from pathlib import Path

from translation.backends.ctranslate2_backend import ctranslate2_available
from translation.manifest import (
    COMMIT_FILE,
    LockedRevision,
    Manifest,
    ModelEntry,
    ct2_dir,
    downloaded_commit,
    get_manifest,
    has_ct2_model,
    has_weights,
    hf_dir,
    load_lock,
    lock_path,
    models_dir,
    save_lock,
)

#: Config and tokenizer files (Marian: *.spm + vocab.json; NLLB: sentencepiece.bpe.model + tokenizer.json).
TOKENIZER_PATTERNS = ["*.json", "*.spm", "*.model"]

#: Raised (somewhere in the cause chain) when the hub cannot be reached, whichever HTTP client the hub library uses.
_OFFLINE_ERRORS = {"LocalEntryNotFoundError", "OfflineModeIsEnabled", "ConnectError", "ConnectTimeout", "ReadTimeout",
                   "TimeoutException", "NameResolutionError", "gaierror", "ConnectionError"}


class ModelsError(Exception):
    """A models command failed for one model; the message says what to do."""

    def __init__(self, message: str, *, offline: bool = False) -> None:
        super().__init__(message)
        self.offline = offline


def _offline_message(target: Path) -> str:
    return f"cannot reach the Hugging Face hub; copy the model directory to {target} instead"


def download_patterns(files: list[str]) -> list[str]:
    """Config, tokenizer and one weights format: hub repos also hold TensorFlow, Flax and Rust copies."""
    weights = "*.safetensors" if any(name.endswith(".safetensors") for name in files) else "pytorch_model*.bin"
    return [*TOKENIZER_PATTERNS, weights]


def is_offline_error(error: BaseException | None) -> bool:
    for _ in range(10):
        if error is None:
            return False
        if isinstance(error, ConnectionError | TimeoutError) or type(error).__name__ in _OFFLINE_ERRORS:
            return True
        error = error.__cause__ or error.__context__
    return False


def select(manifest: Manifest, languages: list[str]) -> list[ModelEntry]:
    """Both directions of each language (every non-English language when none is given)."""
    known = manifest.languages()
    unknown = [language for language in languages if language not in known]
    if unknown:
        raise ModelsError(f"no models for {', '.join(unknown)}; languages: {' '.join(known)}")
    return [entry for language in (languages or known) for entry in manifest.for_language(language)]


def by_repo(entries: list[ModelEntry]) -> dict[str, list[ModelEntry]]:
    """One download / conversion per hub repo (the NLLB model serves several pairs)."""
    repos: dict[str, list[ModelEntry]] = {}
    for entry in entries:
        repos.setdefault(entry.repo, []).append(entry)
    return repos


def locked_commit(entry: ModelEntry, lock: dict[str, LockedRevision]) -> str | None:
    """The commit to fetch again, unless the manifest now names another revision than the one locked."""
    locked = lock.get(entry.repo)
    return locked.commit if locked is not None and locked.revision == entry.revision else None


def download_model(entry: ModelEntry, root: Path, lock: dict[str, LockedRevision]) -> Path:
    """Fetch the locked commit (or the one the manifest's revision resolves to now, then lock it)."""
    from huggingface_hub import HfApi, snapshot_download

    target = hf_dir(entry, root)
    pinned = locked_commit(entry, lock)
    try:
        api = HfApi()
        commit = api.model_info(entry.repo, revision=pinned or entry.revision).sha
        if commit is None or (pinned is not None and commit != pinned):
            raise ModelsError(f"{entry.repo}: the hub serves {commit} for the locked commit {pinned}")
        files = api.list_repo_files(entry.repo, revision=commit)
        # Resumes an interrupted download; tqdm shows progress per file.
        snapshot_download(entry.repo, revision=commit, local_dir=target, allow_patterns=download_patterns(files))
    except ModelsError:
        raise
    except Exception as error:  # the hub library raises many unrelated types; each becomes one line per model
        if is_offline_error(error):
            raise ModelsError(_offline_message(target), offline=True) from error
        raise ModelsError(f"{entry.repo}@{pinned or entry.revision}: {error}") from error
    if not has_weights(target):
        raise ModelsError(f"{entry.repo}: the download left no config.json and weights in {target}")
    (target / COMMIT_FILE).write_text(commit + "\n", encoding="utf-8")
    lock[entry.repo] = LockedRevision(revision=entry.revision, commit=commit)
    return target


def convert_model(entry: ModelEntry, root: Path) -> Path:
    if not ctranslate2_available():
        raise ModelsError("ctranslate2 is not installed (it is optional): `.venv/bin/pip install ctranslate2`")
    source, target = hf_dir(entry, root), ct2_dir(entry, root)
    if not has_weights(source):
        language = entry.tgt if entry.src == "en" else entry.src
        raise ModelsError(
            f"{entry.repo} is not downloaded: run `shopbot models download {language}` or copy it to {source}")
    from ctranslate2.converters import TransformersConverter

    # Convert next to the target and swap it in, so an interrupted run never looks converted.
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.parent.mkdir(parents=True, exist_ok=True)
    TransformersConverter(str(source)).convert(str(partial), quantization="int8")
    shutil.rmtree(target, ignore_errors=True)
    partial.rename(target)
    return target


def _pairs(entries: list[ModelEntry]) -> str:
    return ", ".join(f"{entry.src}->{entry.tgt}" for entry in entries)


def _holds_locked_commit(entry: ModelEntry, root: Path, lock: dict[str, LockedRevision]) -> bool:
    """A downloaded directory at another commit than the locked one is fetched again (one copied by hand is kept)."""
    pinned, held = locked_commit(entry, lock), downloaded_commit(hf_dir(entry, root))
    if pinned is None or held is None or held == pinned:
        return True
    print(f"    holds commit {held}, the lock says {pinned}: downloading the locked commit", flush=True)
    return False


def _run_each(args: argparse.Namespace, action: str) -> None:
    root = args.models_dir or models_dir()
    try:
        repos = by_repo(select(get_manifest(), args.languages))
    except ModelsError as error:
        sys.exit(str(error))
    lock = load_lock(root)
    failures, offline = 0, False
    for number, (repo, entries) in enumerate(repos.items(), start=1):
        entry = entries[0]
        print(f"[{number}/{len(repos)}] {repo} ({_pairs(entries)}; licence {entry.license})", flush=True)
        if entry.license.upper().endswith("-NC-4.0"):
            print("    note: non-commercial licence", flush=True)
        done = has_weights(hf_dir(entry, root)) if action == "download" else has_ct2_model(ct2_dir(entry, root))
        if done and action == "download" and not _holds_locked_commit(entry, root, lock):
            done = False
        if done and not args.force:
            print(f"    already {action}ed (--force to redo)", flush=True)
            continue
        try:
            if offline:  # the hub retries for a while before giving up: once is enough
                raise ModelsError(_offline_message(hf_dir(entry, root)), offline=True)
            if action == "download":
                target = download_model(entry, root, lock)
                save_lock(lock, root)
            else:
                target = convert_model(entry, root)
        except ModelsError as error:
            failures, offline = failures + 1, error.offline
            print(f"    error: {error}", file=sys.stderr, flush=True)
            continue
        extra = f" (commit {lock[repo].commit}, locked in {lock_path(root)})" if action == "download" else ""
        print(f"    {action}ed to {target}{extra}", flush=True)
    if failures:
        sys.exit(f"{failures} of {len(repos)} models failed")


def cmd_models_download(args: argparse.Namespace) -> None:
    _run_each(args, "download")


def cmd_models_convert(args: argparse.Namespace) -> None:
    _run_each(args, "convert")


def cmd_models_list(args: argparse.Namespace) -> None:
    root = args.models_dir or models_dir()
    print(f"{'pair':<7} {'model':<34} {'licence':<13} {'installed':<10} converted")
    for entry in get_manifest().models:
        installed = "yes" if has_weights(hf_dir(entry, root)) else "no"
        converted = "yes" if has_ct2_model(ct2_dir(entry, root)) else "no"
        extra = f"  (default backend: {entry.default_backend})" if entry.default_backend else ""
        print(f"{entry.src + '->' + entry.tgt:<7} {entry.repo:<34} {entry.license:<13} {installed:<10} "
              f"{converted:<10}{extra}".rstrip())
    print(f"\nModels directory: {root} (TRANSLATION_MODELS_DIR)")


def add_models_parser(subparsers: argparse._SubParsersAction) -> None:
    """Register `models download|convert|list` on the top-level `shopbot` subcommands."""
    models = subparsers.add_parser("models", help="machine-translation models: download, convert, list")
    models.add_argument("--models-dir", type=Path, default=None,
                        help="where models live (default: $TRANSLATION_MODELS_DIR or <repo>/models)")
    commands = models.add_subparsers(dest="models_command", required=True)
    for name, func, text in (
        ("download", cmd_models_download, "download both directions of each language from the Hugging Face hub"),
        ("convert", cmd_models_convert, "convert downloaded models to CTranslate2 int8 (needs ctranslate2)"),
    ):
        command = commands.add_parser(name, help=text, description=text)
        command.add_argument("languages", nargs="*", metavar="LANG", help="language codes (default: all)")
        command.add_argument("--force", action="store_true", help=f"{name} again even if already done")
        command.set_defaults(func=func)
    commands.add_parser("list", help="each language pair, its model, licence and install state").set_defaults(
        func=cmd_models_list)
