"""Load China's official holidays and adjusted working days from the `chinese-calendar` package.

The package knows 2004 up to the last year it was released for (2026 at the time of writing) and raises for
later years; an administrator enters a new year in the admin when the State Council publishes it. Used by the
data migration (with historical models) and by `manage.py calendar_import` after upgrading the package.
"""

HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


def import_package_calendar(
    calendar_year_model, calendar_day_model, *, replace_manual: bool = False
) -> list[int]:
    """Create or refresh every year the package knows; returns the years written.

    Years an administrator entered by hand are left alone unless `replace_manual` is set.
    """
    from chinese_calendar.constants import holidays, workdays

    by_year: dict[int, list[tuple]] = {}
    for day, name in holidays.items():
        by_year.setdefault(day.year, []).append((day, "holiday", str(name)))
    for day, name in workdays.items():
        by_year.setdefault(day.year, []).append((day, "workday", str(name)))

    written = []
    for year, days in sorted(by_year.items()):
        existing = calendar_year_model.objects.filter(year=year).first()
        if existing and existing.source == "manual" and not replace_manual:
            continue
        calendar_year, _created = calendar_year_model.objects.update_or_create(
            year=year, defaults={"source": "package", "notice": ""}
        )
        calendar_day_model.objects.filter(calendar_year=calendar_year).delete()
        calendar_day_model.objects.bulk_create(
            calendar_day_model(
                calendar_year=calendar_year,
                date=day,
                kind=kind,
                name_en=name,
                name_zh=HOLIDAY_NAMES_ZH.get(name, name),
            )
            for day, kind, name in sorted(days)
        )
        written.append(year)
    return written
