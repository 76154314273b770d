from celery import shared_task

from mediation.services.clocks import mediations_sweep


@shared_task(name="mediation.sweep_clocks")
def sweep_clocks() -> dict[str, int]:
    """Periodic (beat, zone queue): unanswered invitations, expired mediations, overdue confirmations."""
    return mediations_sweep()
