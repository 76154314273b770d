"""API shapes of mediation sessions: scheduling one (on the mediation), moving, cancelling and minuting it
(on the session). The session's own shape is mediation.serializers.mediations.SessionSerializer (the
mediation's detail lists its sessions in it)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from courts.serializers import CourtDateTimeField, IdField, TribunalCodeField
from mediation.models import MediationSession
from mediation.serializers.mediations import SessionSerializer, UsernameField

__all__ = [
    "RecordSerializer",
    "RescheduleSerializer",
    "ScheduleSerializer",
    "SessionCancelSerializer",
    "SessionDetailSerializer",
    "SessionSerializer",
]


class ScheduleSerializer(serializers.Serializer):
    starts_at = CourtDateTimeField()
    ends_at = CourtDateTimeField()
    mode = serializers.ChoiceField(choices=MediationSession.Mode.choices)
    tribunal = TribunalCodeField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_(
            "In person: the tribunal it is held at. Online: the hosting tribunal (yours by default)."
        ),
    )
    room = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    meeting_url = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    mediators = serializers.ListField(
        child=UsernameField(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Usernames; every mediator of the mediation if omitted."),
    )
    off_hours_reason = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required outside 08:30-17:30 on working days."),
    )


class RescheduleSerializer(serializers.Serializer):
    starts_at = CourtDateTimeField()
    ends_at = CourtDateTimeField()
    reason = serializers.CharField(max_length=2000)
    mode = serializers.ChoiceField(choices=MediationSession.Mode.choices, required=False, default=None)
    tribunal = TribunalCodeField(required=False, allow_null=True, default=None)
    room = serializers.CharField(max_length=60, required=False, allow_null=True, default=None)
    meeting_url = serializers.CharField(max_length=300, required=False, allow_null=True, default=None)
    off_hours_reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class SessionCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class RecordSerializer(serializers.Serializer):
    minutes = serializers.CharField(max_length=20000)
    attendance = serializers.ListField(
        child=IdField(), max_length=50, help_text=_("Ids of the parties present.")
    )


class SessionDetailSerializer(SessionSerializer):
    mediation_number = serializers.CharField(source="mediation.number", read_only=True)

    class Meta(SessionSerializer.Meta):
        fields = [*SessionSerializer.Meta.fields, "mediation_number"]
