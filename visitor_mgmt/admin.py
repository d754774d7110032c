"""Django admin for operators. Directory-managed hosts and groups are view-only here too:
the admin is one more write path, and the directory is their source of truth."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from visitor_mgmt.models import Account, Host, HostGroup, KioskDevice, Membership, Visit
from visitor_mgmt.services import hosts as host_services


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role"]
    list_filter = ["role", "account"]
    search_fields = ["user__username", "user__email", "account__name", "account__slug"]
    autocomplete_fields = ["user", "account"]


class DirectoryReadOnlyMixin:
    """No change or delete for records the directory manages; no bulk delete at all
    (deleting goes through the services one record at a time)."""

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_directory_managed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_directory_managed:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        # A second line of defence behind has_change_permission.
        if change:
            stored = type(obj).objects.get(pk=obj.pk)
            if stored.is_directory_managed:
                raise PermissionDenied(host_services.DIRECTORY_MANAGED_MESSAGE.format(name=stored))
        super().save_model(request, obj, form, change)


@admin.register(Host)
class HostAdmin(DirectoryReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "email", "department", "account", "is_active", "source"]
    list_filter = ["source", "is_active", "account"]
    search_fields = ["first_name", "last_name", "display_name", "email", "username"]
    list_select_related = ["account"]
    readonly_fields = [
        "public_id",
        "source",
        "username",
        "external_id",
        "directory_data",
        "created_at",
        "updated_at",
        "deleted_at",
    ]
    fieldsets = [
        (None, {"fields": ["account", "public_id", "source", "is_active"]}),
        ("Person", {"fields": list(host_services.PERSON_FIELDS)}),
        (
            "Directory",
            {"fields": ["username", "external_id", "directory_data"], "classes": ["collapse"]},
        ),
        (None, {"fields": ["created_at", "updated_at", "deleted_at"]}),
    ]

    def get_queryset(self, request):
        # Tombstones are kept for visit history only; the admin shows live hosts.
        return super().get_queryset(request).live()

    def delete_model(self, request, obj):
        """Deleting a host keeps a tombstone, like everywhere else."""
        host_services.host_delete(host=obj)


@admin.register(HostGroup)
class HostGroupAdmin(DirectoryReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "account", "source"]
    list_filter = ["source", "account"]
    search_fields = ["name"]
    list_select_related = ["account"]
    readonly_fields = ["public_id", "source", "external_id", "directory_data", "created_at"]
    fields = ["account", "name", "public_id", "source", "external_id", "directory_data"]


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ["visitor_name", "host_name", "host_group_name", "account", "signed_in_at"]
    list_filter = ["notification_status", "account"]
    search_fields = ["visitor_name", "visitor_email", "visitor_company", "host_name"]
    list_select_related = ["account"]
    raw_id_fields = ["host", "host_group"]
    date_hierarchy = "signed_in_at"


@admin.register(KioskDevice)
class KioskDeviceAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "created_at", "last_seen_at", "revoked_at"]
    list_filter = ["account"]
    readonly_fields = ["key_hash", "created_by", "created_at", "last_seen_at"]
