"""Writes of the ground floor. Views, admin, commands and tests create and change staff through these."""

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courts.models import Court, Role, Sequence, StaffRole, Tribunal, User


def sequence_next(name: str) -> int:
    """The next value of a named counter, under a row lock held until the caller's transaction ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequence_next must run inside the transaction that uses the number")
    # Insert-if-missing cannot race into an IntegrityError: ON CONFLICT DO NOTHING on both databases.
    Sequence.objects.bulk_create([Sequence(name=name)], ignore_conflicts=True)
    sequence = Sequence.objects.select_for_update().get(name=name)
    sequence.value += 1
    sequence.save(update_fields=["value"])
    return sequence.value


def sequences_raise(highest: dict[str, int]) -> None:
    """Make each named counter continue after at least the given value (numbers issued elsewhere, e.g. by an
    import of past records), never lowering one already past it; in the caller's transaction, whose end
    releases the row locks, so a `sequence_next` waiting meanwhile draws after the raised value."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("sequences_raise must run inside the transaction that uses the numbers")
    if not highest:
        return
    Sequence.objects.bulk_create([Sequence(name=name) for name in highest], ignore_conflicts=True)
    # Locked in name order, as any two callers would: no deadlock between two imports.
    locked = Sequence.objects.select_for_update().filter(name__in=list(highest)).order_by("name")
    raised = []
    for sequence in locked:
        if sequence.value < highest[sequence.name]:
            sequence.value = highest[sequence.name]
            raised.append(sequence)
    Sequence.objects.bulk_update(raised, ["value"])


def staff_upsert(
    *,
    username: str,
    court: Court | None,
    roles: Iterable[str],
    password: str | None = None,
    tribunal: Tribunal | None = None,
    full_name: str = "",
    email: str = "",
    is_superuser: bool = False,
    validate: bool = True,
) -> User:
    """Create a member of staff or bring an existing one in line with these facts (idempotent).

    Court administrators get `is_staff` so the admin site lets them in; what they see there is scoped to
    their own court (courts.admin).
    """
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s") % {"roles": ", ".join(sorted(unknown))}})
    if tribunal is not None and (court is None or tribunal.court_id != court.pk):
        raise ValidationError({"tribunal": _("The tribunal must belong to the staff member's court.")})

    with transaction.atomic():
        user, _created = User.objects.get_or_create(username=username)
        user.court, user.tribunal = court, tribunal
        user.first_name = full_name
        user.email = email
        user.is_superuser = is_superuser
        user.is_staff = is_superuser or Role.COURT_ADMIN in roles
        if password is not None:
            if validate:
                validate_password(password, user)
            user.set_password(password)
        user.save()
        user.roles.set(StaffRole.objects.filter(code__in=roles))
    return user
