from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and cross-region filing")

    def ready(self):
        from cases import handlers, labels
        from cases.views import filings, requests
        from courts.home_panels import register_panel
        from courts.timeline import register_labels

        handlers.register()
        register_panel(filings.inbox_panel)
        register_panel(requests.inbox_panel)
        register_labels(actions=labels.ACTIONS)
        for model, states in labels.STATES:
            register_labels(states=states, subject=model)
