"""Django admin for operators. Hosts and groups are written through the same services as
the pages; directory-managed ones are view-only here too: the admin is one more write path,
and the directory is their source of truth."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError

from visitor_mgmt.models import Account, Host, HostGroup, KioskDevice, Membership, Visit
from visitor_mgmt.services import hosts as host_services
from visitor_mgmt.views.common import add_service_errors


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


class ServiceWritesAdmin(admin.ModelAdmin):
    """Saving in the admin goes through the same service functions as the pages, so their
    rules (names, unique e-mails and group names, the read-only rule for directory-managed
    records) are checked in one place; a refusal is a form error, never a 500.

    Directory-managed records cannot be changed or deleted here at all (view-only), and
    there is no bulk delete (deleting goes through the services one record at a time).
    The account of a saved record is fixed: moving it would carry group memberships and
    visit history across tenants.
    """

    # The fields the admin form writes, passed to the services by name. Subclasses define
    # service_check(account, obj, values), service_create(account, values) and
    # service_update(obj, values) with the model's service functions.
    service_fields = ()

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

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "account"] if obj is not None else fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin, stored = self, self._stored(obj)

        class ServiceCheckedForm(form_class):
            def clean(self):
                cleaned = super().clean()
                account = stored.account if stored is not None else cleaned.get("account")
                if account is None or self.errors:
                    return cleaned
                try:
                    model_admin.service_check(
                        account=account, obj=stored, values=model_admin.values_of(cleaned)
                    )
                except host_services.DirectoryManagedError as exc:
                    raise PermissionDenied(str(exc)) from exc
                except ValidationError as exc:
                    add_service_errors(self, exc)
                return cleaned

        return ServiceCheckedForm

    def values_of(self, cleaned_data):
        return {name: cleaned_data[name] for name in self.service_fields if name in cleaned_data}

    def _stored(self, obj):
        # The form changes ``obj`` in place; the services compare against what is stored.
        return type(obj).objects.get(pk=obj.pk) if obj is not None and obj.pk else None

    def save_model(self, request, obj, form, change):
        values = self.values_of(form.cleaned_data)
        try:
            if change:
                saved = self.service_update(obj=self._stored(obj), values=values)
            else:
                saved = self.service_create(account=form.cleaned_data["account"], values=values)
        except host_services.DirectoryManagedError as exc:
            raise PermissionDenied(str(exc)) from exc
        obj.pk = saved.pk
        obj.refresh_from_db()


@admin.register(Host)
class HostAdmin(ServiceWritesAdmin):
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

    service_fields = ("is_active", *host_services.PERSON_FIELDS)

    def service_check(self, *, account, obj, values):
        host_services.host_check(account=account, host=obj, **values)

    def service_create(self, *, account, values):
        return host_services.host_create(account=account, **values)

    def service_update(self, *, obj, values):
        return host_services.host_update(host=obj, **values)

    def get_queryset(self, request):
        # Tombstones are kept for visit history only; the admin shows live hosts.
        return super().get_queryset(request).live()

    def delete_model(self, request, obj):
        """Deleting a host keeps a tombstone, like everywhere else."""
        host_services.host_delete(host=obj)


@admin.register(HostGroup)
class HostGroupAdmin(ServiceWritesAdmin):
    list_display = ["name", "account", "source"]
    list_filter = ["source", "account"]
    search_fields = ["name"]
    list_select_related = ["account"]
    readonly_fields = ["public_id", "source", "external_id", "directory_data", "created_at"]
    fields = ["account", "name", "public_id", "source", "external_id", "directory_data"]
    service_fields = ("name",)

    def service_check(self, *, account, obj, values):
        host_services.host_group_check(account=account, group=obj, **values)

    def service_create(self, *, account, values):
        return host_services.host_group_create(account=account, **values)

    def service_update(self, *, obj, values):
        return host_services.host_group_update(group=obj, **values)

    def delete_model(self, request, obj):
        host_services.host_group_delete(group=obj)


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
