from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CourtsConfig(AppConfig):
    name = "courts"
    verbose_name = _("Courts and staff")

    def ready(self):
        # Connects the Celery signals that carry the request id into tasks (web and worker alike).
        from django.db.models.signals import m2m_changed, post_delete, post_save

        import courts.request_ids  # noqa: F401
        from courts.legal_calendar import forget_cached_years
        from courts.models import CalendarDay, CalendarYear, Court, Tribunal, User
        from courts.selectors import forget_cached_courts, forget_cached_staff

        for model in (CalendarYear, CalendarDay):
            post_save.connect(
                forget_cached_years, sender=model, dispatch_uid=f"calendar-{model.__name__}-save"
            )
            post_delete.connect(
                forget_cached_years, sender=model, dispatch_uid=f"calendar-{model.__name__}-del"
            )
        post_save.connect(forget_cached_courts, sender=Court, dispatch_uid="courts-save")
        post_save.connect(forget_cached_courts, sender=Tribunal, dispatch_uid="tribunals-save")
        post_save.connect(forget_cached_staff, sender=User, dispatch_uid="staff-save")
        m2m_changed.connect(forget_cached_staff, sender=User.roles.through, dispatch_uid="staff-roles")

        from django.contrib.auth.signals import user_logged_in

        from courts.staff_sessions import start_the_clock
        from courts.timeline import register_labels

        user_logged_in.connect(start_the_clock, dispatch_uid="staff-session-clock")

        register_labels(actions={"staff.revoke_api_token": _("API token revoked")})

        from courts.metrics import delivery_figures, register_figures, worker_figures

        register_figures(delivery_figures)
        register_figures(worker_figures)
