from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    name = "mediation"
    verbose_name = _("Joint mediation and judicial confirmation")

    def ready(self):
        from courts.links import register_link_source
        from courts.timeline import register_labels
        from courts.workbench import register_work
        from mediation import documents, handlers, labels, links, status, workbench

        handlers.register()
        documents.register()
        register_work(workbench.mediation_work)
        register_link_source(links.links_of)
        status.register()
        register_labels(actions=labels.ACTIONS)
        for model, states in labels.STATES:
            register_labels(states=states, subject=model)
