from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases and cross-region filing")

    def ready(self):
        from cases import documents, handlers, labels, metrics, milestones, workbench
        from courts.metrics import register_figures
        from courts.timeline import register_labels
        from courts.workbench import register_work

        handlers.register()
        register_figures(metrics.overdue_figures)
        documents.register()
        milestones.register()
        register_work(workbench.filing_work)
        register_work(workbench.request_work)
        register_labels(actions=labels.ACTIONS)
        for model, states in labels.STATES:
            register_labels(states=states, subject=model)
