"""`shopbot train | evaluate | data export | versions | activate`: what the admin console does, from a shell."""

import argparse
import asyncio
import getpass
import sys
from pathlib import Path

from database.core import session_scope
from database.migrate import upgrade_database
from runtime.settings import get_settings


def _who(args: argparse.Namespace) -> str:
    return args.by or getpass.getuser()


def cmd_train(args: argparse.Namespace) -> None:
    """A training job run in this process (the same job the admin console queues), its log printed."""
    from learning import jobs

    upgrade_database()
    with session_scope() as db_session:
        job = jobs.enqueue(db_session=db_session, kind="train", params={"force": args.force},
                           requested_by=_who(args), status="running")
        job_id = job.id
    print(f"Training job {job_id}:")
    jobs.run_job(job_id, echo=lambda line: print(line, flush=True))
    with session_scope() as db_session:
        job = jobs.get_or_raise(db_session, job_id)
        if job.status != "succeeded":
            sys.exit(f"Training failed: {job.error}")
        print(f"Model version {job.result['version']} is registered; held-out figures: {job.result['metrics']}")
        if args.activate:
            _activate(db_session, job.result["version"], args, override=False)


def cmd_evaluate(args: argparse.Namespace) -> None:
    from learning import registry
    from learning.evaluate import load_rows
    from learning.evaluation_job import evaluate_and_report
    from learning.exceptions import LearningError
    from runtime.training import data_fingerprint, model_path

    upgrade_database()
    try:
        rows = load_rows(Path(args.data))
        with session_scope() as db_session:
            active = registry.active_version(db_session)
            if args.model:
                version = registry.get_or_raise(db_session, int(args.model)) if args.model.isdigit() else None
                model = Path(version.path) if version else Path(args.model)
            elif active is not None:
                version, model = active, Path(active.path)
            else:
                version, model = None, model_path(get_settings().models_dir, data_fingerprint())
            if not model.exists():
                sys.exit(f"No model file {model}: train one first (shopbot train)")
            compare = None if active is None or Path(active.path) == model else (
                f"version {active.id}", Path(active.path), None)
            version_id = version.id if version else None
        report = evaluate_and_report(model=model, version_id=version_id, rows=rows, source=args.data,
                                     out_dir=Path(args.out), active=compare, echo=lambda s: print(s, flush=True))
    except LearningError as error:
        sys.exit(str(error))
    metrics = report["metrics"]
    print(f"accuracy {metrics['accuracy']}  macro-F1 {metrics['macro_f1']}  out-of-scope recall "
          f"{metrics['out_of_scope_recall']}  ({metrics['rows']} rows)")
    if report["comparison"]:
        print(report["comparison"]["verdict"])
    print(f"Reports: {Path(args.out) / 'report.html'} and {Path(args.out) / 'report.json'}")


def cmd_data_export(args: argparse.Namespace) -> None:
    """Write the full training data (repository YAML + what admins added) and validate it with Rasa."""
    from learning.exceptions import InvalidTrainingData
    from learning.export import write_export
    from learning.validate import validate

    upgrade_database()
    with session_scope() as db_session:
        export = write_export(db_session=db_session, out_root=Path(args.dir))
    print(f"Wrote {export.root / 'bot'} ({export.admin_examples} example lines added by admins; "
          f"fingerprint {export.fingerprint}). Validating with rasa data validate...")
    try:
        validate(export, rasa_venv=get_settings().rasa_venv, on_output=lambda line: None)
    except InvalidTrainingData as error:
        sys.exit(str(error))
    print("Valid Rasa training data.")


def cmd_versions(args: argparse.Namespace) -> None:
    from learning import registry

    upgrade_database()
    with session_scope() as db_session:
        for version in reversed(registry.all_versions(db_session)):
            accuracy = (version.metrics or {}).get("accuracy")
            print(f"{'*' if version.active else ' '} v{version.id:<4} {version.name:<28} by {version.trained_by:<12} "
                  f"{version.created_at:%Y-%m-%d %H:%M}  held-out accuracy "
                  f"{'-' if accuracy is None else f'{accuracy:.3f}'}")


def _activate(db_session, version_id: int, args: argparse.Namespace, *, override: bool) -> None:
    """Make the version active; a running Rasa (GATEWAY_RASA_URL) loads it now, else at the next start."""
    from assistant.rasa_client import RasaClient
    from gateway.settings import get_settings as get_gateway_settings
    from learning import activation, registry
    from learning.exceptions import LearningError
    from learning.temporary_rasa import live_model_file
    from translation.service import get_translation_service

    settings = get_gateway_settings()
    rasa_url = settings.rasa_url
    version = registry.get_or_raise(db_session, version_id)
    if live_model_file(rasa_url) is None:
        activation.mark_active(db_session=db_session, version=version, activated_by=_who(args))
        db_session.commit()
        print(f"Version {version.id} is active; Rasa is not running, it loads it at the next start.")
        return

    async def switch() -> None:
        rasa = RasaClient(rasa_url)
        replicas = [RasaClient(url) for url in settings.rasa_replica_urls]
        try:
            await activation.activate(db_session=db_session, version=version, activated_by=_who(args),
                                      override=override, rasa=rasa, rasa_url=rasa_url,
                                      translator=get_translation_service(), replicas=replicas)
        finally:
            for client in [rasa, *replicas]:
                await client.close()

    try:
        asyncio.run(switch())
    except LearningError as error:
        sys.exit(str(error))
    print(f"Version {version.id} is active and served by {rasa_url}.")


def cmd_activate(args: argparse.Namespace) -> None:
    upgrade_database()
    with session_scope() as db_session:
        _activate(db_session, args.version, args, override=args.override)


def add_learning_parsers(commands) -> None:
    train = commands.add_parser("train", help="train a model on the training data (YAML + admins' examples)")
    train.add_argument("--force", action="store_true", help="train even if a model for this data exists")
    train.add_argument("--activate", action="store_true", help="activate it if it scores at least as well")
    train.add_argument("--by", help="who trains (default: your user name)")
    train.set_defaults(func=cmd_train)

    evaluate = commands.add_parser("evaluate", help="evaluate a model on labelled rows; HTML and JSON reports")
    evaluate.add_argument("--data", required=True, help='JSON lines {"text", "intent", "language"?}')
    evaluate.add_argument("--out", required=True, help="directory for report.html and report.json")
    evaluate.add_argument("--model", help="version number or model file (default: the active model)")
    evaluate.set_defaults(func=cmd_evaluate)

    data = commands.add_parser("data", help="training data").add_subparsers(dest="data_command", required=True)
    export = data.add_parser("export", help="write valid Rasa training data (YAML + admins' examples) to DIR")
    export.add_argument("dir")
    export.set_defaults(func=cmd_data_export)

    versions = commands.add_parser("versions", help="the model registry (* = active)")
    versions.set_defaults(func=cmd_versions)

    activate = commands.add_parser("activate", help="serve a model version (without downtime if Rasa runs)")
    activate.add_argument("version", type=int)
    activate.add_argument("--override", action="store_true", help="even if it scores below the active model")
    activate.add_argument("--by", help="who activates (default: your user name)")
    activate.set_defaults(func=cmd_activate)
