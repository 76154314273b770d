from django.core.management.base import BaseCommand
from django.db import transaction

from courts.calendar_import import import_package_calendar
from courts.models import CalendarDay, CalendarYear


class Command(BaseCommand):
    help = "Load the holidays the chinese-calendar package knows (after upgrading it). Manual years are kept."

    def add_arguments(self, parser):
        parser.add_argument("--replace-manual", action="store_true", help="overwrite years entered by hand")

    def handle(self, *args, replace_manual=False, **options):
        with transaction.atomic():
            years = import_package_calendar(CalendarYear, CalendarDay, replace_manual=replace_manual)
        self.stdout.write(
            f"Loaded {len(years)} years: {years[0] if years else '-'}..{years[-1] if years else '-'}"
        )
