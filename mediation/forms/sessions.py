"""Forms for mediation sessions: scheduling one (on the mediation's page), moving, cancelling and minuting
one, and the week the tribunal's calendar shows. Overlaps, working hours and places are the service's rules
(mediation.services.sessions); its errors come back on these fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from courts.forms import CourtDateField
from courts.models import Tribunal
from mediation.forms.mediations import PartiesField, datetime_field
from mediation.models import MediationSession


class PlaceFields(forms.Form):
    """Where a session is held: a tribunal taking part and its room, or a meeting link."""

    mode = forms.ChoiceField(
        label=_("Mode"), choices=MediationSession.Mode.choices, widget=forms.RadioSelect, required=False
    )
    tribunal = forms.ModelChoiceField(
        label=_("Tribunal"), queryset=Tribunal.objects.none(), required=False, empty_label="—"
    )
    room = forms.CharField(label=_("Room"), max_length=60, required=False)
    meeting_url = forms.CharField(label=_("Meeting link (online)"), max_length=300, required=False)
    off_hours_reason = forms.CharField(
        label=_("Why outside working hours or on a rest day (if so)"), max_length=300, required=False
    )

    def __init__(self, *args, tribunal_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tribunal"].queryset = Tribunal.objects.filter(pk__in=tribunal_ids).order_by("id")


class ScheduleForm(PlaceFields):
    starts_at = datetime_field(_("Starts"))
    ends_at = datetime_field(_("Ends"))
    # The mediation's mediators, as a list (mediation.services.sessions.mediators_of): ticked, all of them.
    mediators = forms.MultipleChoiceField(
        label=_("Mediators"), widget=forms.CheckboxSelectMultiple, required=False
    )

    field_order = ["starts_at", "ends_at", "mode", "tribunal", "room", "meeting_url", "mediators"]

    def __init__(self, *args, tribunal_ids, mediators, default_tribunal=None, **kwargs):
        super().__init__(*args, tribunal_ids=tribunal_ids, **kwargs)
        self.fields["mode"].required = True
        self.mediators = {str(mediator.pk): mediator for mediator in mediators}
        self.fields["mediators"].choices = [
            (key, mediator.get_full_name() or mediator.username) for key, mediator in self.mediators.items()
        ]
        self.initial.setdefault("mode", MediationSession.Mode.IN_PERSON)
        self.initial.setdefault("tribunal", default_tribunal)
        self.initial.setdefault("mediators", list(self.mediators))

    def clean_mediators(self) -> list:
        return [self.mediators[key] for key in self.cleaned_data["mediators"]]


class RescheduleForm(PlaceFields):
    starts_at = datetime_field(_("New start"))
    ends_at = datetime_field(_("New end"))
    reason = forms.CharField(label=_("Why it moves"), max_length=2000)

    field_order = ["starts_at", "ends_at", "mode", "tribunal", "room", "meeting_url", "off_hours_reason"]

    def __init__(self, *args, session: MediationSession, tribunal_ids, **kwargs):
        kwargs.setdefault("prefix", f"session-{session.pk}")
        super().__init__(*args, tribunal_ids=tribunal_ids, **kwargs)
        self.initial.update(
            {
                "starts_at": session.starts_at,
                "ends_at": session.ends_at,
                "mode": session.mode,
                "tribunal": session.tribunal_id,
                "room": session.room,
                "meeting_url": session.meeting_url,
            }
        )


class SessionCancelForm(forms.Form):
    reason = forms.CharField(label=_("Why it is cancelled"), max_length=2000)

    def __init__(self, *args, session: MediationSession, **kwargs):
        kwargs.setdefault("prefix", f"session-{session.pk}")
        super().__init__(*args, **kwargs)


class RecordForm(forms.Form):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20000)
    attendance = PartiesField(label=_("Parties present"), queryset=None, required=False)

    def __init__(self, *args, session: MediationSession, parties, **kwargs):
        kwargs.setdefault("prefix", f"session-{session.pk}")
        super().__init__(*args, **kwargs)
        self.fields["attendance"].queryset = parties


class WeekForm(forms.Form):
    week = CourtDateField(required=False)
