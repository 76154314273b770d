"""API wiring: the paging every list shares. The error shape and its handlers live on the ground floor
(courts.error_shape); settings.REST_FRAMEWORK and config/urls.py wire them in."""

from rest_framework import pagination


class Pagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
