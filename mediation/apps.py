from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Joint mediation and judicial confirmation")

    def ready(self):
        from cases.status import register_status_finder
        from courts.home_panels import register_panel
        from courts.links import register_link_source
        from courts.timeline import register_labels
        from mediation import handlers, labels, links, status
        from mediation.views import mediations

        handlers.register()
        register_panel(mediations.inbox_panel)
        register_link_source(links.links_of)
        register_status_finder(status.find)
        register_labels(actions=labels.ACTIONS)
        for model, states in labels.STATES:
            register_labels(states=states, subject=model)
