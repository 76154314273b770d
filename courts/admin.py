"""The admin serves superusers and court administrators. A court administrator manages only their own court's
staff, may keep the holiday calendar, and reads (never edits) the registry and the timeline."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from courts.api_tokens import revoke_tokens
from courts.models import (
    CalendarDay,
    CalendarYear,
    Court,
    Delivery,
    Event,
    IssuedDocument,
    Role,
    StaffRole,
    Tribunal,
    User,
)
from courts.selectors import is_court_admin, staff_visible_to
from courts.text import join_list
from courts.timeline import action_label, state_label


class ZoneAdminAccess:
    """Module access for superusers and court administrators; superusers write, court admins read."""

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.is_superuser or is_court_admin(request.user))

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


def keeps_contact_of(user, court_id) -> bool:
    """A court's administrator keeps its contact details (address, phone), which the litigants' status page
    shows; everything else in the registry is the zone's (superusers)."""
    return user.is_superuser or (is_court_admin(user) and court_id is not None and court_id == user.court_id)


CONTACT_FIELDS = ("address", "phone")


class TribunalInline(admin.TabularInline):
    model = Tribunal
    extra = 0
    fields = ["code", "name_zh", "name_en", "leads_alliance", *CONTACT_FIELDS]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return keeps_contact_of(request.user, getattr(obj, "pk", None))

    def get_readonly_fields(self, request, obj=None):
        return () if request.user.is_superuser else [f for f in self.fields if f not in CONTACT_FIELDS]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser or is_court_admin(request.user)


@admin.register(Court)
class CourtAdmin(ZoneAdminAccess, admin.ModelAdmin):
    list_display = ["code", "name_zh", "province_zh", "case_code", "region_code", "queue_name", "is_active"]
    inlines = [TribunalInline]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or (obj is not None and keeps_contact_of(request.user, obj.pk))

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return [field.name for field in Court._meta.fields if field.name not in CONTACT_FIELDS]


@admin.register(Tribunal)
class TribunalAdmin(ZoneAdminAccess, admin.ModelAdmin):
    list_display = ["code", "name_zh", "court", "leads_alliance", *CONTACT_FIELDS]
    list_filter = ["court"]

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or (obj is not None and keeps_contact_of(request.user, obj.court_id))

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return ()
        return [field.name for field in Tribunal._meta.fields if field.name not in CONTACT_FIELDS]


def may_keep_calendar(user) -> bool:
    """China's calendar is the same for all three courts; any court administrator may enter a new year."""
    return user.is_active and (user.is_superuser or is_court_admin(user))


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 3
    fields = ["date", "kind", "name_zh", "name_en"]

    def has_view_permission(self, request, obj=None):
        return may_keep_calendar(request.user)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(CalendarYear)
class CalendarYearAdmin(ZoneAdminAccess, admin.ModelAdmin):
    list_display = ["year", "source", "notice", "updated_at"]
    inlines = [CalendarDayInline]

    def has_add_permission(self, request, obj=None):
        return may_keep_calendar(request.user)

    def has_change_permission(self, request, obj=None):
        return may_keep_calendar(request.user)

    def save_model(self, request, obj, form, change):
        # A year touched by hand is the administrator's; `calendar_import` will not overwrite it.
        obj.source = CalendarYear.Source.MANUAL
        super().save_model(request, obj, form, change)


def record_type_label(subject_type: str) -> str:
    """ "cases.filing" as people say it: the model's own name (cross-region filing)."""
    try:
        return str(apps.get_model(subject_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return subject_type


class RecordTypeFilter(admin.SimpleListFilter):
    title = _("record type")
    parameter_name = "subject_type"

    def lookups(self, request, model_admin):
        types = model_admin.get_queryset(request).order_by().values_list("subject_type", flat=True).distinct()
        return sorted(((value, record_type_label(value)) for value in types), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(subject_type=self.value()) if self.value() else queryset


class ActionFilter(admin.SimpleListFilter):
    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        actions = model_admin.get_queryset(request).order_by().values_list("action", flat=True).distinct()
        return sorted(((value, action_label(value)) for value in actions), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(ZoneAdminAccess, admin.ModelAdmin):
    """The timeline is read-only for everyone: no add, change or delete, superuser included. Records,
    actions and states are shown by their names, as the pages show them (courts.timeline's labels)."""

    list_display = ["created_at", "record", "what", "change", "actor", "actor_court"]
    list_filter = [RecordTypeFilter, ActionFilter, "actor_court"]
    list_select_related = ["actor", "actor_court"]
    search_fields = ["subject_type", "action", "reason"]
    date_hierarchy = "created_at"

    @admin.display(description=_("record"), ordering="subject_type")
    def record(self, event):
        return f"{record_type_label(event.subject_type)} #{event.subject_id}"

    @admin.display(description=_("action"), ordering="action")
    def what(self, event):
        return action_label(event.action)

    @admin.display(description=_("state"))
    def change(self, event):
        if event.from_state == event.to_state:
            return state_label(event.to_state, event.subject_type) if event.to_state else "—"
        before = state_label(event.from_state, event.subject_type) if event.from_state else ""
        after = state_label(event.to_state, event.subject_type)
        return f"{before} → {after}" if before else after

    def get_list_filter(self, request):
        # A court admin reads their own court's events: a filter by court would offer nothing but it.
        return self.list_filter if request.user.is_superuser else self.list_filter[:2]

    def get_queryset(self, request):
        events = super().get_queryset(request)
        if request.user.is_superuser:
            return events
        return events.filter(actor_court_id=request.user.court_id)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ZoneAdminAccess, admin.ModelAdmin):
    """Every printed copy, read-only: what was printed, from which record, by whom. The verification code is
    not here (only its keyed hash is kept, and not shown)."""

    list_display = ["issued_at", "kind", "number", "court", "record", "issued_by"]
    list_filter = ["kind", "court"]
    list_select_related = ["court", "issued_by"]
    search_fields = ["number"]
    date_hierarchy = "issued_at"
    exclude = ["code_hash"]

    @admin.display(description=_("record"), ordering="subject_type")
    def record(self, document):
        return f"{record_type_label(document.subject_type)} #{document.subject_id}"

    def get_list_filter(self, request):
        return self.list_filter if request.user.is_superuser else self.list_filter[:1]

    def get_queryset(self, request):
        documents = super().get_queryset(request)
        if request.user.is_superuser:
            return documents
        return documents.filter(court_id=request.user.court_id)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class StaffAdmin(ZoneAdminAccess, BaseUserAdmin):
    list_display = ["username", "first_name", "court", "tribunal", "role_list", "is_active"]
    list_filter = ["court", "roles", "is_active"]
    list_select_related = ["court", "tribunal"]
    filter_horizontal = ["roles"]
    superuser_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Court and roles"), {"fields": ("court", "tribunal", "roles")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    court_admin_fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Court and roles"), {"fields": ("tribunal", "roles")}),
        (_("Status"), {"fields": ("is_active",)}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),)
    actions = ["revoke_api_tokens"]

    @admin.action(description=_("Revoke the selected staff's API tokens"))
    def revoke_api_tokens(self, request, queryset):
        # The queryset is this admin's court's staff only (get_queryset); each revocation is on the timeline.
        revoked = revoke_tokens(queryset, actor=request.user)
        self.message_user(request, _("%(count)s API tokens revoked.") % {"count": revoked})

    @admin.display(description=_("roles"))
    def role_list(self, obj):
        return join_list(obj.roles.all())

    def get_queryset(self, request):
        return staff_visible_to(request.user).prefetch_related("roles")

    def get_list_filter(self, request):
        # A court admin manages one court's staff: no filter by court (it listed all three).
        return (
            self.list_filter if request.user.is_superuser else [f for f in self.list_filter if f != "court"]
        )

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return self.superuser_fieldsets if request.user.is_superuser else self.court_admin_fieldsets

    def has_add_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        if not self.has_module_permission(request):
            return False
        return obj is None or staff_visible_to(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        # Staff who acted are named in the timeline; deactivate them instead of deleting.
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tribunal" and not request.user.is_superuser:
            kwargs["queryset"] = Tribunal.objects.filter(court_id=request.user.court_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "roles" and not request.user.is_superuser:
            # The zone viewer reads all three courts: only the zone grants it.
            kwargs["queryset"] = StaffRole.objects.exclude(code=Role.ZONE_VIEWER)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not request.user.is_superuser:
            obj.court_id = request.user.court_id  # a court admin's staff are always their own court's
            obj.is_superuser = False
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user = form.instance
        # The admin site lets court administrators in through is_staff; it follows the role, not a checkbox.
        wants_staff = user.is_superuser or user.roles.filter(code=Role.COURT_ADMIN).exists()
        if user.is_staff != wants_staff and not (
            request.user.is_superuser and "is_staff" in form.changed_data
        ):
            user.is_staff = wants_staff
            user.save(update_fields=["is_staff"])


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Work between courts. Superusers see every row; a court admin sees the work addressed to their own
    court (its workers are theirs to run). Either may send failed rows again."""

    list_display = ["id", "kind", "court", "state", "attempts", "created_at", "delivered_at", "last_error"]
    list_filter = ["state", "kind"]
    list_select_related = ["court"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["send_again"]

    def get_queryset(self, request):
        deliveries = super().get_queryset(request)
        if request.user.is_superuser:
            return deliveries
        return deliveries.filter(court_id=request.user.court_id)

    def get_list_filter(self, request):
        return [*self.list_filter, "court"] if request.user.is_superuser else self.list_filter

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.is_superuser or is_court_admin(request.user))

    def has_view_permission(self, request, obj=None):
        # Takes `obj`, as Django calls it with one on the change page (it once did not, and the page crashed).
        return self.has_module_permission(request)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected failed deliveries again"), permissions=["view"])
    def send_again(self, request, queryset):
        from courts.delivery import publish

        rows = list(queryset.filter(state=Delivery.State.FAILED).select_related("court"))
        Delivery.objects.filter(pk__in=[row.pk for row in rows], state=Delivery.State.FAILED).update(
            state=Delivery.State.PENDING, attempts=0
        )
        for row in rows:
            publish(row)
        self.message_user(request, _("%(count)d deliveries sent again.") % {"count": len(rows)})
