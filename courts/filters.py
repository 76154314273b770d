"""What every list's filters are built of (django-filter). Each list has one FilterSet (cases.filters,
mediation.filters) that its API endpoint and its page both read, so a bad value is the same error on both
and the schema lists what the FilterSet takes:

- `ListFilterSet`: an empty value (`?state=`, as an HTML form sends it) means no filter; `user` is the
  request's, for the filters that depend on it.
- `StateFilter`: one or more states (`?state=a&state=b`) or a group of them by name (`open`); the page
  picks one, or all.
- `CourtDayFilter`: a day in Asia/Shanghai bounding a moment, from its first instant or to its last; a year
  outside 1900-2200 is bad input (courts.forms.CourtDateField), never an overflow.
- `YesNoFilter`: true or false as the API spells them, a checkbox on the page; anything else is refused.
- `NumberOrTextFilter`: a number as people type it (courts.numbers), or words of a text field.
- `DirectionFilter`: incoming or outgoing, seen from the user's court.
- `SortFilter`: the `ordering` parameter, each key one or more model fields, the id last.
- `ListFilterBackend`: applies a viewset's `filterset_class` to its list, a bad value a 400 in the API's
  error shape naming the field (courts.error_shape).
"""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

from courts.forms import CourtDateField
from courts.legal_calendar import COURT_TZ
from courts.numbers import normalise_number
from courts.selectors import acting_court
from courts.serializers import without_empty


class ListFilterSet(django_filters.FilterSet):
    def __init__(self, data=None, queryset=None, *, request, prefix=None):
        super().__init__(
            None if data is None else without_empty(data), queryset, request=request, prefix=prefix
        )

    @property
    def user(self):
        return self.request.user

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            field.help_text = ""  # a filter's help_text describes its parameter in the API schema
        return form


# --- States ------------------------------------------------------------------------------------------------


class OneOfMany(forms.Select):
    """A select for a parameter the API may repeat: the page sends one value, or none for all."""

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if hasattr(data, "getlist") else data.get(name)


class StateField(forms.MultipleChoiceField):
    widget = OneOfMany

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.choices = [("", _("all")), *self.choices]  # the page's "no filter"; no value of the API


class StateFilter(django_filters.MultipleChoiceFilter):
    """`groups` names sets of states the list offers as one choice: {"open": (label, states)}."""

    field_class = StateField

    def __init__(self, *, choices, groups: dict | None = None, **kwargs):
        self.groups = {name: tuple(states) for name, (_label, states) in (groups or {}).items()}
        kwargs.setdefault("label", _("State"))
        named = [(name, label) for name, (label, _states) in (groups or {}).items()]
        super().__init__(choices=[*named, *choices], **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        states = {state for name in value for state in self.groups.get(name, (name,))}
        return qs.filter(**{f"{self.field_name}__in": sorted(states)})


# --- Days, yes or no, numbers ------------------------------------------------------------------------------


def day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=COURT_TZ)


class CourtDayFilter(django_filters.DateFilter):
    """`bound="from"`: moments from the day's first instant; `bound="to"`: up to its last."""

    field_class = CourtDateField

    def __init__(self, *, bound: str, **kwargs):
        assert bound in ("from", "to")
        self.bound = bound
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date"}))
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet, value: dt.date | None) -> QuerySet:
        if value is None:
            return qs
        if self.bound == "from":
            return qs.filter(**{f"{self.field_name}__gte": day_start(value)})
        return qs.filter(**{f"{self.field_name}__lt": day_start(value + dt.timedelta(days=1))})


TRUE_WORDS = frozenset({"true", "1", "yes", "on"})
FALSE_WORDS = frozenset({"false", "0", "no", "off"})


class YesNoInput(forms.CheckboxInput):
    """A checkbox that sends `true`; what a query string says is passed on as typed, for the field to judge
    (Django's checkbox reads any word as checked)."""

    def __init__(self, attrs=None):
        super().__init__(attrs, check_test=lambda value: str(value).strip().lower() in TRUE_WORDS)

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def format_value(self, value):
        return "true"


class YesNoField(forms.Field):
    widget = YesNoInput
    default_error_messages = {"invalid": _("Must be a valid boolean.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")


class YesNoFilter(django_filters.BooleanFilter):
    field_class = YesNoField


class NumberOrTextFilter(django_filters.CharFilter):
    """Finds `numbers` (case, receipt, reference numbers: read through normalise_number, so brackets, width
    and case do not matter) or, in `texts`, the words as typed."""

    def __init__(self, *, numbers: tuple[str, ...], texts: tuple[str, ...] = (), **kwargs):
        self.numbers, self.texts = numbers, texts
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        value = (value or "").strip()
        if not value:
            return qs
        number = normalise_number(value)
        condition = Q()
        for field in self.numbers:
            condition |= Q(**{f"{field}__icontains": number})
        for field in self.texts:
            condition |= Q(**{f"{field}__icontains": value})
        return qs.filter(condition)


# --- Seen from the user's court ----------------------------------------------------------------------------


class DirectionFilter(django_filters.ChoiceFilter):
    """`sides` maps each direction to the field that holds the user's court: {"incoming": "entrusted_court",
    "outgoing": "requesting_court"}; `choices` labels them."""

    def __init__(self, *, sides: dict[str, str], choices, **kwargs):
        self.sides = sides
        kwargs.setdefault("label", _("Direction"))
        kwargs.setdefault("empty_label", _("all"))
        super().__init__(choices=choices, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        court = acting_court(self.parent.user) if value else None
        if court is None:  # no direction asked for (with no court, nothing is visible anyway)
            return qs
        return qs.filter(**{self.sides[value]: court})


# --- Sorting -----------------------------------------------------------------------------------------------


class SortFilter(django_filters.OrderingFilter):
    """`?ordering=number` or `?ordering=-registered_at`: `keys` maps each key to the model fields it sorts
    by; the id comes last in the same direction, so paging is stable. `choices` labels the four orders."""

    def __init__(self, *, keys: dict[str, tuple[str, ...]], **kwargs):
        self.keys = keys
        kwargs.setdefault("empty_label", None)
        super().__init__(fields={key: key for key in keys}, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        value = [param for param in value if param.lstrip("-")]  # `?ordering=,` names no key: no order asked
        if not value:
            return qs
        fields = []
        for param in value:
            sign = "-" if param.startswith("-") else ""
            fields.extend(f"{sign}{field}" for field in self.keys[param.lstrip("-")])
        return qs.order_by(*fields, f"{'-' if value[-1].startswith('-') else ''}id")


# --- The API -----------------------------------------------------------------------------------------------


class ListFilterBackend(DjangoFilterBackend):
    """The viewset's `filterset_class`, on its list only (a record's own URL takes no filters)."""

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        return super().filter_queryset(request, queryset, view)
