"""Demo logins for every role at every court (idempotent). `make demo` runs it with DEMO_MODE=1."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from courts.models import Court, Role, Tribunal
from courts.services import staff_upsert

DEMO_DEFAULT_PASSWORD = "yrd-demo-2026"

# username, court code, tribunal code, roles, display name
DEMO_STAFF = [
    ("wujiang.clerk", "wujiang", None, [Role.WINDOW_CLERK, Role.FILING_CLERK], "吴江立案员"),
    ("qingpu.clerk", "qingpu", None, [Role.WINDOW_CLERK, Role.FILING_CLERK], "青浦立案员"),
    ("jiashan.clerk", "jiashan", None, [Role.WINDOW_CLERK, Role.FILING_CLERK], "嘉善立案员"),
    ("fenhu.judge", "wujiang", "fenhu", [Role.JUDGE], "汾湖法庭法官"),
    ("zhujiajiao.judge", "qingpu", "zhujiajiao", [Role.JUDGE], "朱家角法庭法官"),
    ("xitang.judge", "jiashan", "xitang", [Role.JUDGE], "西塘法庭法官"),
    ("yaozhuang.judge", "jiashan", "yaozhuang", [Role.JUDGE], "姚庄法庭法官"),
    ("wujiang.officer", "wujiang", None, [Role.OFFICER], "吴江送达执行员"),
    ("qingpu.officer", "qingpu", None, [Role.OFFICER], "青浦送达执行员"),
    ("jiashan.officer", "jiashan", None, [Role.OFFICER], "嘉善送达执行员"),
    ("wujiang.admin", "wujiang", None, [Role.COURT_ADMIN], "吴江法院管理员"),
    ("qingpu.admin", "qingpu", None, [Role.COURT_ADMIN], "青浦法院管理员"),
    ("jiashan.admin", "jiashan", None, [Role.COURT_ADMIN], "嘉善法院管理员"),
    ("zone.viewer", None, None, [Role.ZONE_VIEWER], "示范区统计"),
]


def demo_password(explicit: str | None) -> str:
    import os

    password = explicit or os.environ.get("DEMO_PASSWORD")
    if password:
        return password
    if settings.DEMO_MODE:
        return DEMO_DEFAULT_PASSWORD
    raise CommandError(
        "Outside demo mode there is no default password: set DEMO_PASSWORD or pass --password."
    )


class Command(BaseCommand):
    help = "Create the demo staff of every court, and a superuser `admin`, with one password."

    def add_arguments(self, parser):
        parser.add_argument("--password", help="defaults to DEMO_PASSWORD, or the demo default in DEMO_MODE")

    def handle(self, *args, password=None, **options):
        password = demo_password(password)
        courts = {court.code: court for court in Court.objects.all()}
        tribunals = {tribunal.code: tribunal for tribunal in Tribunal.objects.all()}
        for username, court_code, tribunal_code, roles, name in DEMO_STAFF:
            staff_upsert(
                username=username,
                court=courts[court_code] if court_code else None,
                tribunal=tribunals[tribunal_code] if tribunal_code else None,
                roles=roles,
                password=password,
                full_name=name,
                email=f"{username}@demo.invalid",
            )
        staff_upsert(
            username="admin",
            court=None,
            roles=[],
            password=password,
            is_superuser=True,
            full_name="系统管理员",
            email="admin@demo.invalid",
        )
        self.stdout.write(self.style.SUCCESS(f"{len(DEMO_STAFF) + 1} demo logins ready."))
