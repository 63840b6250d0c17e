"""The admin API: the misunderstood inbox, training data, training and evaluation jobs, model switching.
Every endpoint needs an admin (session or API token); changes are audited."""

from fastapi import APIRouter, Request, status
from fastapi.responses import FileResponse, PlainTextResponse

from audit import service as audit
from gateway.admin_schemas import (
    ActivateBody,
    EvaluateBody,
    ExampleRead,
    ExamplesCreate,
    InboxRead,
    IntentCreate,
    IntentRead,
    JobDetail,
    JobRead,
    ModelRead,
    ReviewBody,
    TrainBody,
)
from gateway.blocking import in_thread, in_transaction
from gateway.broadcast import Broadcast
from gateway.deps import BroadcastDep, CurrentAdmin, RasaDep, RasaReplicasDep, ResponsesDep, SessionDep, TranslatorDep
from gateway.schemas import RowId
from gateway.settings import get_settings
from learning import activation, examples, inbox, jobs, registry
from learning.evaluate import rows_from_dicts
from learning.exceptions import InvalidTrainingData, NotFound
from learning.export import admin_examples_yaml
from runtime.settings import get_settings as get_run_settings

router = APIRouter(prefix="/api/v1/admin", tags=["admin"])


def _record(db_session, action: str, admin, subject_type: str | None = None, subject_id: str | int | None = None,
            **details) -> None:
    audit.record(db_session=db_session, action=action, actor=admin, subject_type=subject_type,
                 subject_id=subject_id, details=details)


def _import_examples(db_session, content: str, admin) -> int:
    stored = examples.import_nlu_yaml(db_session=db_session, content=content, created_by=admin.name)
    _record(db_session, "examples.imported", admin, stored=stored)
    return stored


def refresh_admin_responses(db_session, responses, broadcast: Broadcast | None = None) -> None:
    """This gateway's catalogue reads the admin-written responses again; `broadcast` tells the other replicas."""
    responses.set_admin_responses(examples.admin_responses(db_session))
    if broadcast is not None:
        broadcast.responses_changed()


@router.get("/inbox", response_model=InboxRead)
def get_inbox(db_session: SessionDep, admin: CurrentAdmin, groups: int = 50) -> InboxRead:
    """Misunderstood messages not reviewed yet, grouped by meaning, the most frequent first."""
    items = inbox.misunderstood(db_session)
    return InboxRead(messages=len(items), groups=inbox.group(items)[:groups])


@router.post("/inbox/review")
def review_inbox(body: ReviewBody, db_session: SessionDep, admin: CurrentAdmin) -> dict:
    """Assign an intent (the messages become training examples), mark out of scope, or ignore."""
    reviewed = inbox.review(db_session=db_session, message_ids=body.message_ids, decision=body.decision,
                            intent=body.intent, reviewed_by=admin.name)
    _record(db_session, "inbox.reviewed", admin, decision=body.decision, intent=body.intent,
            message_ids=body.message_ids, reviewed=reviewed)
    db_session.commit()
    return {"reviewed": reviewed}


@router.get("/intents", response_model=list[IntentRead])
def list_intents(db_session: SessionDep, admin: CurrentAdmin) -> list[IntentRead]:
    counts = examples.counts_by_intent(db_session)
    created = {intent.name for intent in examples.created_intents(db_session)}
    return [IntentRead(name=name, created_by_admin=name in created, examples_added=counts.get(name, 0))
            for name in sorted(examples.known_intents(db_session))]


@router.post("/intents", status_code=status.HTTP_201_CREATED, response_model=IntentRead)
def create_intent(body: IntentCreate, db_session: SessionDep, admin: CurrentAdmin,
                  responses: ResponsesDep, broadcast: BroadcastDep) -> IntentRead:
    """A new intent with its response (and the response's translations) and first examples."""
    examples.create_intent(
        db_session=db_session, name=body.name, description=body.description, responses=body.responses,
        examples=[examples.ExampleIn(**e.model_dump()) for e in body.examples], created_by=admin.name)
    _record(db_session, "intent.created", admin, "intent", body.name, examples=len(body.examples),
            response_languages=sorted(body.responses))
    db_session.commit()
    refresh_admin_responses(db_session, responses, broadcast)
    return IntentRead(name=body.name, created_by_admin=True, examples_added=len(body.examples))


@router.get("/examples", response_model=list[ExampleRead])
def list_examples(db_session: SessionDep, admin: CurrentAdmin, intent: str | None = None) -> list[ExampleRead]:
    return examples.list_examples(db_session=db_session, intent=intent)


@router.post("/examples", status_code=status.HTTP_201_CREATED)
def add_examples(body: ExamplesCreate, db_session: SessionDep, admin: CurrentAdmin) -> dict:
    stored = examples.add_examples(db_session=db_session, intent=body.intent, created_by=admin.name,
                                   examples=[examples.ExampleIn(**e.model_dump()) for e in body.examples])
    _record(db_session, "examples.added", admin, "intent", body.intent, stored=len(stored))
    db_session.commit()
    return {"stored": len(stored)}


@router.post("/examples/import", status_code=status.HTTP_201_CREATED)
async def import_examples(request: Request, db_session: SessionDep, admin: CurrentAdmin) -> dict:
    """A Rasa NLU YAML file as the request body: all its examples are stored, or none (errors name the line)."""
    try:
        content = (await request.body()).decode("utf-8")
    except UnicodeDecodeError as error:
        raise InvalidTrainingData("the file is not UTF-8 text") from error
    return {"stored": await in_transaction(db_session, _import_examples, db_session, content, admin)}


@router.get("/training-data", response_class=PlainTextResponse)
def export_examples(db_session: SessionDep, admin: CurrentAdmin) -> PlainTextResponse:
    """The examples admins added, as Rasa NLU YAML (what training adds to bot/data)."""
    return PlainTextResponse(admin_examples_yaml(db_session), media_type="application/x-yaml")


@router.post("/train", status_code=status.HTTP_202_ACCEPTED, response_model=JobRead)
def start_training(db_session: SessionDep, admin: CurrentAdmin, body: TrainBody | None = None) -> JobRead:
    """Queue a training job (one at a time); follow it at /jobs/{id}."""
    job = jobs.enqueue(db_session=db_session, kind="train", params={"force": bool(body and body.force)},
                       requested_by=admin.name)
    _record(db_session, "training.queued", admin, "job", job.id, force=bool(body and body.force))
    db_session.commit()
    return job


@router.get("/jobs", response_model=list[JobRead])
def list_jobs(db_session: SessionDep, admin: CurrentAdmin) -> list[JobRead]:
    return jobs.recent(db_session)


@router.get("/jobs/{job_id}", response_model=JobDetail)
def get_job(job_id: RowId, db_session: SessionDep, admin: CurrentAdmin) -> JobDetail:
    return jobs.get_or_raise(db_session, job_id)


@router.get("/jobs/{job_id}/report", response_class=FileResponse)
def get_report(job_id: RowId, db_session: SessionDep, admin: CurrentAdmin, format: str = "html") -> FileResponse:
    """The evaluation report of an evaluation job (format=html or json)."""
    job = jobs.get_or_raise(db_session, job_id)
    path = get_run_settings().var_dir / "reports" / f"job-{job.id}" / f"report.{'json' if format == 'json' else 'html'}"
    if job.kind != "evaluate" or not path.exists():
        raise NotFound(f"job {job_id} has no report (yet)")
    return FileResponse(path)


@router.get("/models", response_model=list[ModelRead])
def list_models(db_session: SessionDep, admin: CurrentAdmin) -> list[ModelRead]:
    return registry.all_versions(db_session)


@router.post("/models/{version_id}/evaluate", status_code=status.HTTP_202_ACCEPTED, response_model=JobRead)
def evaluate_model(version_id: RowId, db_session: SessionDep, admin: CurrentAdmin,
                   body: EvaluateBody | None = None) -> JobRead:
    """Queue an evaluation (held-out set unless rows are sent), compared with the active model."""
    registry.get_or_raise(db_session, version_id)
    params: dict = {"version_id": version_id}
    if body and body.rows:
        rows_from_dicts(body.rows)  # refuse bad rows now, not in the job
        params.update(rows=body.rows, source=body.source)
    job = jobs.enqueue(db_session=db_session, kind="evaluate", params=params, requested_by=admin.name)
    _record(db_session, "evaluation.queued", admin, "job", job.id, version_id=version_id)
    db_session.commit()
    return job


@router.post("/models/{version_id}/activate", response_model=ModelRead)
async def activate_model(version_id: RowId, db_session: SessionDep, admin: CurrentAdmin, rasa: RasaDep,
                         replicas: RasaReplicasDep, translator: TranslatorDep, responses: ResponsesDep,
                         broadcast: BroadcastDep,
                         body: ActivateBody | None = None) -> ModelRead:
    """Serve this version from now on, without downtime. Refused (409) if it scores below the active model
    on the held-out set, unless `override` is true."""
    version = await activation.activate(
        db_session=db_session, version=await in_thread(registry.get_or_raise, db_session, version_id),
        activated_by=admin.name, override=bool(body and body.override), rasa=rasa, rasa_url=get_settings().rasa_url,
        translator=translator, replicas=replicas)
    # activation commits as Rasa switches; the event follows in its own transaction
    await in_transaction(db_session, _record, db_session, "model.activated", admin, "model", version.id,
                         override=bool(body and body.override))
    await in_thread(refresh_admin_responses, db_session, responses, broadcast)
    return version


@router.post("/models/rollback", response_model=ModelRead)
async def rollback_model(db_session: SessionDep, admin: CurrentAdmin, rasa: RasaDep, replicas: RasaReplicasDep,
                         translator: TranslatorDep, responses: ResponsesDep, broadcast: BroadcastDep) -> ModelRead:
    """Back to the version that was active before the current one."""
    version = await activation.rollback(db_session=db_session, activated_by=admin.name, rasa=rasa,
                                        rasa_url=get_settings().rasa_url, translator=translator, replicas=replicas)
    await in_transaction(db_session, _record, db_session, "model.rolled_back", admin, "model", version.id)
    await in_thread(refresh_admin_responses, db_session, responses, broadcast)
    return version
