"""The filters of the lists of filings, cases and requests between courts: one FilterSet per list, read by
its API endpoint (cases.api, through courts.filters.ListFilterBackend) and by its page (its `form`), so both
take the same parameters and refuse a bad value the same way. Each starts from the queryset its selector
gives (what the user may see, in the list's default order) and narrows it."""

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from cases.models import REQUEST_OPEN, Case, CaseType, Filing, PreservationRequest, ServiceRequest
from courts.filters import (
    CourtDayFilter,
    DirectionFilter,
    ListFilterSet,
    NumberOrTextFilter,
    SortFilter,
    StateFilter,
    YesNoFilter,
)
from courts.models import Court


class FilingFilter(ListFilterSet):
    state = StateFilter(choices=Filing.State.choices)
    court = django_filters.ModelChoiceFilter(
        label=_("Other court"),
        queryset=Court.objects.all(),
        to_field_name="code",
        empty_label=_("all"),
        method="either_court",
        help_text=_("Either court of the filing, by code"),
    )
    submitted_from = CourtDayFilter(field_name="submitted_at", bound="from", label=_("Filed from"))
    submitted_to = CourtDayFilter(field_name="submitted_at", bound="to", label=_("Filed to"))
    direction = DirectionFilter(
        sides={"incoming": "jurisdiction_court", "outgoing": "collaborating_court"},
        choices=[("incoming", _("for us to decide")), ("outgoing", _("filed at our window"))],
    )
    overdue = YesNoFilter(label=_("overdue only"))
    search = NumberOrTextFilter(
        numbers=("receipt_number",),
        texts=("cause",),
        label=_("Receipt number or cause"),
        help_text=_("Receipt number or cause of action"),
    )

    class Meta:
        model = Filing
        fields: list[str] = []  # every filter is declared above

    def either_court(self, queryset: QuerySet, name: str, value: Court) -> QuerySet:
        return queryset.filter(Q(collaborating_court=value) | Q(jurisdiction_court=value))


class CaseFilter(ListFilterSet):
    state = StateFilter(choices=Case.State.choices)
    court = django_filters.ModelChoiceFilter(
        label=_("Court"), queryset=Court.objects.all(), to_field_name="code", empty_label=_("all")
    )
    case_type = django_filters.ModelChoiceFilter(
        label=_("Case type"), queryset=CaseType.objects.all(), to_field_name="code", empty_label=_("all")
    )
    registered_from = CourtDayFilter(field_name="registered_at", bound="from", label=_("Registered from"))
    registered_to = CourtDayFilter(field_name="registered_at", bound="to", label=_("Registered to"))
    search = NumberOrTextFilter(numbers=("number",), texts=("cause",), label=_("Case number or cause"))
    ordering = SortFilter(
        # A case number sorts by its parts: （2026）苏0509民初12号 after 2号, not between 1号 and 2号.
        keys={
            "registered_at": ("registered_at",),
            "number": ("year", "court__case_code", "case_type__code", "sequence"),
        },
        choices=[
            ("-registered_at", _("newest first")),
            ("registered_at", _("oldest first")),
            ("number", _("by case number")),
            ("-number", _("by case number, last first")),
        ],
        label=_("Sort"),
    )

    class Meta:
        model = Case
        fields: list[str] = []


# --- Requests between courts -------------------------------------------------------------------------------

REQUEST_STATE_GROUPS = {
    "open": (_("open (not yet reported)"), REQUEST_OPEN),
    "results": (
        _("result reported, to acknowledge"),
        ("served", "failed", "carried_out", "partly_carried_out"),
    ),
}
KINDS = {"service": ServiceRequest, "preservation": PreservationRequest}


def _states_of(*models) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for model in models:
        for value, label in model.State.choices:
            seen.setdefault(value, label)
    if len(models) > 1:
        seen["failed"] = _("failed")  # each kind names its own failure
    return list(seen.items())


class _RequestFilters(ListFilterSet):
    """What the lists of both kinds are filtered by."""

    direction = DirectionFilter(
        sides={"incoming": "entrusted_court", "outgoing": "requesting_court"},
        choices=[("incoming", _("entrusted to us")), ("outgoing", _("asked by us"))],
        help_text=_("incoming: entrusted to your court; outgoing: your court asked"),
    )
    state = StateFilter(choices=_states_of(ServiceRequest, PreservationRequest), groups=REQUEST_STATE_GROUPS)
    overdue = YesNoFilter(label=_("overdue only"))
    search = NumberOrTextFilter(numbers=("reference", "case__number"), label=_("Reference or case number"))


class ServiceRequestFilter(_RequestFilters):
    state = StateFilter(choices=ServiceRequest.State.choices, groups=REQUEST_STATE_GROUPS)

    class Meta:
        model = ServiceRequest
        fields: list[str] = []


class PreservationRequestFilter(_RequestFilters):
    state = StateFilter(choices=PreservationRequest.State.choices, groups=REQUEST_STATE_GROUPS)

    class Meta:
        model = PreservationRequest
        fields: list[str] = []


class _KindFirst(forms.Form):
    field_order = ["kind"]


class RequestFilter(_RequestFilters):
    """The list page's: both kinds, one section each, `kind` showing one; a state of one kind only (served,
    carried out) leaves the other kind's section out. Each kind's API takes its own states only."""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"),
        choices=[
            ("service", capfirst(_("service request"))),
            ("preservation", capfirst(_("preservation request"))),
        ],
        empty_label=_("all"),
        method="of_kind",
    )

    class Meta:
        form = _KindFirst

    def of_kind(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset if KINDS[value] is queryset.model else queryset.none()

    def kinds(self) -> list[str]:
        """The kinds the page shows, in order."""
        data = self.form.cleaned_data if self.is_valid() else {}
        state = data.get("state") or []
        shown = [data["kind"]] if data.get("kind") else list(KINDS)
        return [
            kind
            for kind in shown
            if all(name in REQUEST_STATE_GROUPS or name in KINDS[kind].State.values for name in state)
        ]
