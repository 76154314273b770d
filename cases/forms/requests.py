"""Forms for the pages of requests between courts (委托送达, 委托保全). As in cases.forms.filings they check
types and shapes; the rules live in the services, whose ValidationErrors go back on the right field, list
items included (`attach_request_errors`: "documents.0.copies" lands on the first document's copies)."""

from itertools import zip_longest

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from cases.models import (
    PreservationMeasure,
    PreservationRequest,
    ServiceAttempt,
    ServiceMethod,
    ServiceRequest,
)
from courts.forms import CourtDateField
from courts.models import Court
from courts.uploads import check_scan

MAX_FILES = 20
SCAN_TYPES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
DATE = forms.DateInput(attrs={"type": "date"})


def label(text) -> str:
    """Field labels reuse the models' lower-case names, capitalised as Django's ModelForms do."""
    return capfirst(text)


class PartySelect(forms.Select):
    """Each party's option carries its address, so the page can prefill the address for service."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        party = getattr(value, "instance", None)
        if party is not None:
            option["attrs"]["data-address"] = party.address
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ScansField(forms.FileField):
    """Several PDF, JPEG or PNG files at once, each checked by its content before anything is stored, so a bad
    file refuses the whole form rather than leaving a request half made."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": SCAN_TYPES}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(uploads) > MAX_FILES:
            raise ValidationError(_("At most %(count)d files at once.") % {"count": MAX_FILES})
        cleaned = [super(ScansField, self).clean(upload, initial) for upload in uploads]
        errors = []
        for upload in cleaned:
            try:
                check_scan(upload)
            except ValidationError as error:
                errors.extend(f"{upload.name}: {message}" for message in error.messages)
        if errors:
            raise ValidationError(errors)
        return cleaned


class NewRequestForm(forms.Form):
    """What both kinds of request start with: the court asked and the party concerned."""

    party_field = "recipient"

    entrusted_court = forms.ModelChoiceField(
        label=label(_("entrusted court")), queryset=Court.objects.none(), empty_label="—"
    )

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entrusted_court"].queryset = Court.objects.filter(is_active=True).exclude(
            pk=case.court_id
        )
        parties = case.parties.all()
        self.fields[self.party_field].queryset = parties
        defendant = next((party for party in parties if party.role == "defendant"), None)
        if defendant is not None and not self.is_bound:
            self.initial.setdefault(self.party_field, defendant.pk)
            if "address" in self.fields:
                self.initial.setdefault("address", defendant.address)


class ServiceRequestForm(NewRequestForm):
    recipient = forms.ModelChoiceField(
        label=label(_("recipient")), queryset=None, empty_label="—", widget=PartySelect
    )
    address = forms.CharField(label=label(_("service address")), max_length=200)
    method = forms.ChoiceField(label=label(_("requested method")), choices=ServiceMethod.choices)
    letter_number = forms.CharField(
        label=label(_("letter of entrustment number")), max_length=60, required=False
    )
    files = ScansField(label=_("Documents to serve, scanned (PDF, JPEG or PNG; optional, also later)"))


class DocumentForm(forms.Form):
    name = forms.CharField(label=label(_("document")), max_length=100)
    reference = forms.CharField(label=label(_("reference number")), max_length=60, required=False)
    # The range is the service's rule (1 to 100); the form only wants a number.
    copies = forms.IntegerField(
        label=label(_("copies")), initial=1, widget=forms.NumberInput(attrs={"min": 1})
    )


DocumentFormSet = forms.formset_factory(
    DocumentForm, extra=0, min_num=1, validate_min=True, max_num=30, validate_max=True
)


class PreservationRequestForm(NewRequestForm):
    party_field = "respondent"

    respondent = forms.ModelChoiceField(label=label(_("respondent")), queryset=None, empty_label="—")
    urgent = forms.BooleanField(label=label(_("urgent (48 hours)")), required=False)
    stage = forms.ChoiceField(label=label(_("stage")), choices=PreservationRequest.Stage.choices)
    allowed_amount = forms.DecimalField(
        label=_("Amount the ruling allows (yuan)"), max_digits=14, decimal_places=2
    )
    ruling_number = forms.CharField(label=label(_("ruling number")), max_length=60)
    ruling_date = CourtDateField(label=label(_("ruling date")), required=False, widget=DATE)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        # A pre-suit preservation review (财保) is before suit; a request from any other case is during it.
        self.initial.setdefault("stage", "pre_suit" if case.case_type.code == "财保" else "in_suit")


class MeasureForm(forms.Form):
    # No default measure or property: a freeze of real estate is a mistake the clerk should not be led into.
    type = forms.ChoiceField(
        label=label(_("measure")), choices=[("", "—"), *PreservationMeasure.Type.choices]
    )
    property_type = forms.ChoiceField(
        label=label(_("property")), choices=[("", "—"), *PreservationMeasure.PropertyType.choices]
    )
    registry = forms.CharField(label=label(_("registry or bank")), max_length=100)
    account = forms.CharField(label=label(_("account or certificate")), max_length=100, required=False)
    amount = forms.DecimalField(label=_("Amount (yuan)"), max_digits=14, decimal_places=2)


MeasureFormSet = forms.formset_factory(
    MeasureForm, extra=0, min_num=1, validate_min=True, max_num=30, validate_max=True
)


# --- On a request's page -----------------------------------------------------------------------------------


class ActionForm(forms.Form):
    """Accept and acknowledge ask for nothing but the click."""


class AttemptForm(forms.Form):
    """One attempt as the service receipt (送达回证) records it."""

    method = forms.ChoiceField(label=label(_("method")), choices=ServiceMethod.choices)
    result = forms.ChoiceField(label=label(_("result")), choices=ServiceAttempt.Result.choices)
    served_at = forms.DateTimeField(
        label=_("Time of service or of the attempt"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=label(_("place")), max_length=200)
    signer = forms.CharField(label=label(_("signed by")), max_length=100, required=False)
    relation = forms.CharField(
        label=label(_("signer's relation to the recipient")), max_length=60, required=False
    )
    reason = forms.ChoiceField(
        label=_("Failure reason (if not served)"),
        choices=[("", "—"), *ServiceAttempt.FailureReason.choices],
        required=False,
    )
    refusal_reason = forms.CharField(
        label=label(_("reason given for refusing")), max_length=200, required=False
    )
    witness = forms.CharField(label=label(_("witness")), max_length=100, required=False)
    officers = forms.CharField(
        label=label(_("serving officers")),
        max_length=100,
        required=False,
        help_text=_("Both officers; left empty, you are recorded."),
    )
    remarks = forms.CharField(
        label=label(_("remarks")), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
    photos = ScansField(label=_("Photos or scan of the signed receipt (PDF, JPEG or PNG)"))


class FailureForm(forms.Form):
    reason = forms.ChoiceField(label=label(_("failure reason")), choices=ServiceAttempt.FailureReason.choices)
    remarks = forms.CharField(
        label=label(_("remarks")), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


class MeasureResultForm(forms.Form):
    measure = forms.IntegerField(widget=forms.HiddenInput)
    result = forms.ChoiceField(
        label=label(_("result")),
        choices=[("", "—"), *[c for c in PreservationMeasure.Result.choices if c[0] != "pending"]],
    )
    amount_done = forms.DecimalField(
        label=_("Amount actually preserved (yuan)"), max_digits=14, decimal_places=2, required=False
    )
    term_ends_on = CourtDateField(
        label=label(_("term ends")),
        required=False,
        widget=DATE,
        help_text=_("Left empty: the legal term for this kind of property."),
    )
    receipt = forms.CharField(label=label(_("registry's or bank's receipt")), max_length=100, required=False)
    failure_reason = forms.CharField(label=_("Why it failed"), max_length=200, required=False)


MeasureResultFormSet = forms.formset_factory(MeasureResultForm, extra=0, max_num=30)


def measure_results_formset(request: PreservationRequest, data=None, *, measures=None):
    """One result form per measure not yet reported, each carrying its measure as `target` for the page to
    describe (not `measure`: a template looks `form.measure` up as the form's field first). `measures`: the
    request's measures if the caller has them already."""
    measures = {measure.pk: measure for measure in (request.measures.all() if measures is None else measures)}
    pending = [m for m in measures.values() if m.result == PreservationMeasure.Result.PENDING]
    formset = MeasureResultFormSet(data, prefix="results", initial=[{"measure": m.pk} for m in pending])
    for form, default in zip_longest(formset.forms, pending):
        if form is None:
            break
        posted = str(form["measure"].value() or "")
        form.target = measures.get(int(posted)) if posted.isdigit() else default
    return formset


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the request goes back"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=label(_("reason")), required=False, max_length=2000)


class RequestAttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("Scan (PDF, JPEG or PNG, at most 20 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": SCAN_TYPES}),
    )
    attempt = forms.ModelChoiceField(
        label=_("Belongs to"),
        queryset=ServiceAttempt.objects.none(),
        required=False,
        empty_label=_("the request"),
    )

    def __init__(self, *args, request=None, with_attempts: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_attempts and isinstance(request, ServiceRequest) and request.attempts.all():
            self.fields["attempt"].queryset = request.attempts.all()
            self.fields["attempt"].label_from_instance = lambda attempt: (
                f"{localtime(attempt.attempted_at):%Y-%m-%d %H:%M} {attempt}"
            )
        else:
            del self.fields["attempt"]


def attach_request_errors(error: ValidationError, form, lists: dict | None = None) -> None:
    """Put a service's {"field": [...]} or {"measures.1.amount": [...]} errors on the matching field.
    `form` is a form or, where the page posts a list alone, a formset; `lists` maps a list's name to (its
    formset, the forms sent to the service in the service's order)."""
    if not hasattr(error, "error_dict"):
        _put(form, None, error.messages)
        return
    lists = lists or {}
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        if parts[0] in lists:
            formset, sent = lists[parts[0]]
            if len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(sent):
                _put(sent[int(parts[1])], parts[2], messages)
            else:
                # Errors about the list as a whole ("report every measure") belong above it.
                _put(formset, None, messages)
            continue
        _put(form, parts[0], messages)


def _put(target, field: str | None, messages: list[str]) -> None:
    if isinstance(target, forms.BaseFormSet):
        target.non_form_errors().extend(messages)
        return
    # A hidden field's error (which measure) would not show: it goes above the form instead.
    if field not in target.fields or target.fields[field].widget.is_hidden:
        field = None
    for message in messages:
        target.add_error(field, message)
