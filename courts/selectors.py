"""Reads that need scoping. Every list and detail of courts' data starts here.

What a user may see of cases is decided by `cases.selectors`, which builds on `acting_court` below.
"""

from django.db.models import Prefetch, QuerySet

from courts.models import Court, Role, Tribunal, User


def courts_with_tribunals() -> QuerySet[Court]:
    """The zone's registry is public to every member of staff: courts must know whom they can ask."""
    return Court.objects.filter(is_active=True).prefetch_related(
        Prefetch("tribunals", queryset=Tribunal.objects.order_by("id"))
    )


def acting_court(user) -> Court | None:
    """The court on whose behalf a user acts; None for the zone's own accounts and outsiders."""
    if not getattr(user, "is_authenticated", False):
        return None
    return user.court if user.court_id and user.court.is_active else None


def is_zone_viewer(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_role(Role.ZONE_VIEWER))


def is_court_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.court_id and user.has_role(Role.COURT_ADMIN)
    )


def staff_visible_to(user) -> QuerySet[User]:
    """Staff an administrator may manage: everyone for a superuser, their own court's for a court admin."""
    if user.is_superuser:
        return User.objects.all()
    if is_court_admin(user):
        return User.objects.filter(court_id=user.court_id, is_superuser=False)
    return User.objects.none()


def staff_of_court(court: Court, role: str) -> QuerySet[User]:
    """Active staff of a court holding a role: the people to notify about work arriving there."""
    return User.objects.filter(court=court, is_active=True, roles__code=role).distinct()
