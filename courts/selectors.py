"""Reads that need scoping. Every list and detail of courts' data starts here.

What a user may see of cases is decided by `cases.selectors`, which builds on `acting_court` below.
"""

import time
from typing import Any

from django.db.models import Prefetch, QuerySet

from courts.models import Court, Role, Tribunal, User


def courts_with_tribunals() -> QuerySet[Court]:
    """The zone's registry is public to every member of staff: courts must know whom they can ask."""
    return Court.objects.filter(is_active=True).prefetch_related(
        Prefetch("tribunals", queryset=Tribunal.objects.order_by("id"))
    )


# The registry of courts changes by an administrator's hand, rarely; deliveries read it constantly.
COURT_CACHE_SECONDS = 300

# "by_id" and "tribunals": {pk: row}; "loaded" and "tribunals_loaded": their time.monotonic() when read.
# Typed where read (below): a TypedDict would have no clear() for forget_cached_courts.
_court_cache: dict[str, Any] = {}


def forget_cached_courts(**kwargs) -> None:
    _court_cache.clear()


def court_by_id(court_id: int) -> Court:
    """A court from the process's copy of the registry (refreshed every few minutes)."""
    courts: dict[int, Court] | None = _court_cache.get("by_id")
    if (
        courts is None  # never loaded, or forgotten
        or time.monotonic() - _court_cache["loaded"] > COURT_CACHE_SECONDS  # stale
        or court_id not in courts
    ):
        courts = {court.pk: court for court in Court.objects.all()}
        _court_cache.update(by_id=courts, loaded=time.monotonic())
    return courts[court_id]


def tribunal_by_id(tribunal_id: int) -> Tribunal:
    """A tribunal from the process's copy of the registry (as court_by_id; notices name tribunals)."""
    tribunals: dict[int, Tribunal] | None = _court_cache.get("tribunals")
    if (
        tribunals is None  # never loaded, or forgotten
        or time.monotonic() - _court_cache.get("tribunals_loaded", 0) > COURT_CACHE_SECONDS  # stale
        or tribunal_id not in tribunals
    ):
        tribunals = {tribunal.pk: tribunal for tribunal in Tribunal.objects.all()}
        _court_cache.update(tribunals=tribunals, tribunals_loaded=time.monotonic())
    return tribunals[tribunal_id]


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


STAFF_CACHE_SECONDS = 60
_staff_cache: dict[tuple[int, str], tuple[float, list[User]]] = {}


def forget_cached_staff(**kwargs) -> None:
    _staff_cache.clear()


def staff_to_notify(court: Court, role: str) -> list[User]:
    """`staff_of_court`, remembered by this process for a minute: every delivery notifies a court's clerks,
    and who they are changes rarely. A change made in this process is seen at once (courts.apps)."""
    key = (court.pk, role)
    cached = _staff_cache.get(key)
    if cached is None or time.monotonic() - cached[0] > STAFF_CACHE_SECONDS:
        cached = (time.monotonic(), list(staff_of_court(court, role)))
        _staff_cache[key] = cached
    return cached[1]


def staff_of_court(court: Court, role: str) -> QuerySet[User]:
    """Active staff of a court holding a role: the people to notify about work arriving there."""
    return (
        User.objects.select_related(None)
        .filter(court=court, is_active=True, roles__code=role)
        .only("id", "email", "is_active")
        .distinct()
    )


def staff_of_tribunal(tribunal: Tribunal, role: str) -> QuerySet[User]:
    """Active staff of one tribunal holding a role: the judges who answer an invitation to mediate."""
    return (
        User.objects.select_related(None)
        .filter(tribunal=tribunal, is_active=True, roles__code=role)
        .only("id", "email", "is_active")
        .distinct()
    )
