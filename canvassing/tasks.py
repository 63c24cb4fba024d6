"""Celery tasks of the canvassing app: thin wrappers that call the services."""

from celery import shared_task

from canvassing import services
from canvassing.import_jobs import register_import_job_run, register_import_jobs_requeue_stale


@shared_task(ignore_result=True)
def destroy_expired_registers() -> list[int]:
    """Daily: destroy every register past its retention date (each destruction is in the access log)."""
    return services.registers_destroy_expired(route="task:canvassing.tasks.destroy_expired_registers")


@shared_task(ignore_result=True)
def regenerate_knock_up_sheets() -> int:
    """Every few minutes on polling day: snapshot each district's knock-up list."""
    return services.knock_up_sheets_generate_today()


@shared_task(ignore_result=True)
def register_import_run(job_id: int) -> None:
    """Import a register file uploaded on the import page (the job page shows the outcome)."""
    register_import_job_run(job_id=job_id)


@shared_task(ignore_result=True)
def requeue_stale_register_import_jobs() -> int:
    """Queue again the register import jobs whose task was lost (the periodic sweep)."""
    return register_import_jobs_requeue_stale()
