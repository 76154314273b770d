"""Logging for every process (web, court workers, beat): one JSON object per line on standard error.

The project logs through the standard library (`logging.getLogger(__name__)`) and through structlog where a
line has fields (courts.request_ids' access line); both pass through structlog's ProcessorFormatter, which
adds the time, the level, the logger and whatever is bound for the current request or task (its request id,
and in a worker the task, its id and its queue). A log shipper then needs no parsing rules, and one request id
finds a request's every line across the courts' machines.

LOG_FORMAT=plain gives the same fields as readable text (the default in DEBUG, for a developer's terminal).
"""

import structlog


def _without_the_request(logger, method_name: str, event_dict: dict) -> dict:
    """Django hands its request to its own log records (django.request, django.security.*), and ExtraAdder
    would render it with its query string (a receipt number, a search for a name): the request id and the
    access line say which request it was."""
    event_dict.pop("request", None)
    return event_dict


# Run for records from the standard library as well as from structlog's own loggers.
_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_logger_name,
    structlog.stdlib.add_log_level,
    structlog.stdlib.ExtraAdder(),  # logger.info("...", extra={...}) becomes fields
    _without_the_request,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *(step for step in _SHARED if not isinstance(step, structlog.stdlib.ExtraAdder)),
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def logging_config(*, json: bool, level: str) -> dict:
    """The LOGGING setting. Also the worker's: config/celery.py applies it instead of Celery's own."""
    renderer = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": _SHARED,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    renderer,
                ],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # Django's own request log repeats our access line for 4xx and 5xx; its 5xx tracebacks stay.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "WARNING"},
        },
    }
