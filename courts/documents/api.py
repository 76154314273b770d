"""The documents' API: each record's list of documents and its PDFs (on the flows' own viewsets, through
`DocumentActions`), and the public verification of a printed code."""

from django.http import Http404, HttpResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from courts.documents import registry
from courts.documents.selectors import document_verify
from courts.documents.services import document_issue
from courts.error_shape import error_responses
from courts.login_throttle import client_address, document_verify_attempt, retry_after_seconds


class DocumentLinkSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField(help_text="The document's title as printed (Chinese).")
    label = serializers.CharField(help_text="The document's name in the request's language.")
    url = serializers.URLField()


def load_record(resource_name: str, request, pk) -> object:
    """The record through its flow's detail selector: not visible to this user (or not an id) is a 404."""
    try:
        record_id = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    return registry.resource(resource_name).load(request.user, record_id)


def document_response(resource_name: str, request, pk, kind_name: str) -> HttpResponse:
    record = load_record(resource_name, request, pk)
    kind = registry.resource(resource_name).kinds.get(kind_name)
    if kind is None or not kind.applies(record):
        raise Http404  # a kind this record does not have (yet), or no such kind
    issued = document_issue(kind=kind, record=record, printing=registry.Printing(request, request.user))
    response = HttpResponse(issued.pdf, content_type="application/pdf")
    filename = f"{kind.name}-{record.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # each fetch is a new issued copy with its own code
    return response


def document_actions(resource_name: str, kinds: tuple[str, ...]) -> type:
    """A viewset mixin: `GET documents/` (the list) and `document` (`documents/<kind>.pdf`, routed by
    `document_urls` because the router would add a slash after `.pdf`)."""

    class DocumentActions:
        @extend_schema(
            responses={200: DocumentLinkSerializer(many=True), **error_responses(401, 404)},
            filters=False,
        )
        @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
        def documents(self, request, pk=None):
            """The documents this record has now, each with the URL of its PDF."""
            record = load_record(resource_name, request, pk)
            body = [
                {
                    "kind": kind.name,
                    "title": kind.title,
                    "label": str(kind.label),
                    "url": request.build_absolute_uri(registry.document_url(resource_name, record, kind)),
                }
                for kind in registry.kinds_of(resource_name, record)
            ]
            return Response(DocumentLinkSerializer(body, many=True).data)

        @extend_schema(
            operation_id=f"{resource_name.replace('-', '_')}_document_pdf",
            parameters=[
                OpenApiParameter("id", int, OpenApiParameter.PATH),
                OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(kinds)),
            ],
            responses={
                (200, "application/pdf"): OpenApiResponse(
                    OpenApiTypes.BINARY, description="The document as a PDF, a newly issued copy"
                ),
                **error_responses(401, 404),
            },
            filters=False,
        )
        def document(self, request, pk=None, kind=None):
            """One document of the record as a PDF; every fetch is an issued copy with its own
            verification code. A kind the record does not have is a 404."""
            return document_response(resource_name, request, pk, kind or "")

    return DocumentActions


def document_urls(prefix: str, viewset, basename: str) -> list:
    return [
        path(
            f"{prefix}/<str:pk>/documents/<slug:kind>.pdf",
            viewset.as_view({"get": "document"}, pagination_class=None, filter_backends=[]),
            name=f"{basename}-document",
        )
    ]


class VerificationSerializer(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField(help_text="The document's title as printed (Chinese).")
    number = serializers.CharField()
    court = serializers.CharField(help_text="The issuing court's code.")
    court_name = serializers.CharField()
    dated = serializers.DateField(help_text="The date printed on the document.")


def verification_body(document) -> dict:
    return {
        "kind": document.kind,
        "title": kind_title(document.kind),
        "number": document.number,
        "court": document.court.code,
        "court_name": document.court.name_zh,
        "dated": document.dated,
    }


def kind_title(kind_name: str) -> str:
    for resource in registry.all_resources():
        if kind_name in resource.kinds:
            return resource.kinds[kind_name].title
    return kind_name


def verify(text: str, address: str):
    """(document or None, throttled): unknown codes are counted per address before the lookup."""
    attempt = document_verify_attempt(address)
    if attempt.begin():
        return None, True
    document = document_verify(text)
    if document is not None:
        attempt.succeeded()
    return document, False


@method_decorator(never_cache, name="dispatch")
class VerifyView(APIView):
    """Whether a printed document is genuine: its kind, number, issuing court and date, never its content.
    Any code that is not one issued (unknown, altered, malformed, too long) is the same 404."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH)],
        responses={200: VerificationSerializer, **error_responses(404, 429)},
        tags=["verify"],
    )
    def get(self, request, code: str):
        document, throttled = verify(code, client_address(request))
        if throttled:
            raise exceptions.Throttled(
                wait=retry_after_seconds(), detail=gettext("Too many unknown codes. Try again later.")
            )
        if document is None:
            raise exceptions.NotFound(gettext("No document with this verification code was issued."))
        return Response(VerificationSerializer(verification_body(document)).data)
