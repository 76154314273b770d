"""The filters of the lists of mediations, sessions and confirmations: one FilterSet per list, read by its
API endpoint (mediation.api, through courts.filters.ListFilterBackend) and by its page (its `form`). Each
starts from the queryset its selector gives (what the user's court takes part in, in the list's default
order) and narrows it."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from courts.filters import CourtDayFilter, ListFilterSet, NumberOrTextFilter, StateFilter, YesNoFilter
from courts.models import Role, Tribunal
from mediation import selectors
from mediation.models import CONFIRMATION_OPEN, MEDIATION_OPEN, Confirmation, Mediation, MediationSession


class MediationFilter(ListFilterSet):
    state = StateFilter(choices=Mediation.State.choices, groups={"open": (_("open"), MEDIATION_OPEN)})
    mine = YesNoFilter(label=_("Led or accepted by your tribunal"), method="run_by_my_tribunal")
    search = NumberOrTextFilter(
        numbers=("number",),
        texts=("cause",),
        label=_("Number or cause of action"),
        help_text=_("Mediation number or cause of action"),
    )

    class Meta:
        model = Mediation
        fields: list[str] = []  # every filter is declared above

    def run_by_my_tribunal(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value or not self.user.tribunal_id:  # a user of no tribunal has no "mine": all is shown
            return queryset
        return queryset.filter(pk__in=selectors.mediations_run_by(self.user).values("pk"))


class _WhoseSecond(forms.Form):
    field_order = ["state", "whose", "search"]


class MediationListFilter(MediationFilter):
    """The page's: `whose` (my tribunal's, or all my court takes part in) says what the API's `mine` says;
    a judge of a tribunal sees the tribunal's own unless asking for all."""

    whose = django_filters.ChoiceFilter(
        label=_("Whose"),
        choices=[("mine", _("my tribunal's")), ("all", _("all my court takes part in"))],
        empty_label=None,
        method="of_whom",
    )

    class Meta(MediationFilter.Meta):
        form = _WhoseSecond

    def __init__(self, data=None, queryset=None, *, request, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        del self.filters["mine"]
        if self.is_bound and "whose" not in self.data:
            judge = bool(self.user.tribunal_id) and self.user.has_role(Role.JUDGE)
            self.data = self.data.copy()
            self.data["whose"] = "mine" if judge else "all"

    def of_whom(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return self.run_by_my_tribunal(queryset, name, value == "mine")


class SessionFilter(ListFilterSet):
    tribunal = django_filters.ModelChoiceFilter(
        label=_("Sessions hosted by this tribunal"),
        queryset=Tribunal.objects.filter(court__is_active=True),
        to_field_name="code",
    )
    starts_from = CourtDayFilter(field_name="starts_at", bound="from", label=_("Starting from"))
    starts_to = CourtDayFilter(field_name="starts_at", bound="to", label=_("Starting up to"))
    state = StateFilter(choices=MediationSession.State.choices)

    class Meta:
        model = MediationSession
        fields: list[str] = []


class ConfirmationFilter(ListFilterSet):
    state = StateFilter(choices=Confirmation.State.choices, groups={"open": (_("open"), CONFIRMATION_OPEN)})

    class Meta:
        model = Confirmation
        fields: list[str] = []
