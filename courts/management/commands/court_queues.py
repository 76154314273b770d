from django.core.management.base import BaseCommand

from courts.tasks import court_queues


class Command(BaseCommand):
    help = "Print the comma-separated queues a zone-wide worker consumes (for `celery worker -Q`)."

    def handle(self, *args, **options):
        self.stdout.write(",".join(court_queues()))
