from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Joint mediation and judicial confirmation")

    def ready(self):
        from mediation import handlers

        handlers.register()
