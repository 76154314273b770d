"""`{% documents_menu record %}`: the print button of a record's page, offering the documents the record has
now (courts.documents.registry). The page is already scoped to its reader; the PDFs' URLs check again."""

from django import template

from courts.documents.registry import document_url, kinds_of, resource_of

register = template.Library()


@register.inclusion_tag("_documents.html")
def documents_menu(record):
    resource = resource_of(record)
    kinds = kinds_of(resource, record) if resource else []
    return {
        "documents": [
            {
                "kind": kind.name,
                "label": kind.label,
                "title": kind.title,
                "url": document_url(resource, record, kind),
            }
            for kind in kinds
        ]
    }
