"""JSON shapes of the API. Serializers check types and lengths only; the rules (who may
change what, names, unique e-mails, directory read-only) live in the services."""

from rest_framework import serializers

from visitor_mgmt.models import Host, HostGroup, Source
from visitor_mgmt.services.hosts import PERSON_FIELDS
from visitor_mgmt.services.text import normalise_host_values


class HostOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    is_directory_managed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Host
        fields = [
            "id",
            "name",
            *PERSON_FIELDS,
            "is_active",
            "source",
            "is_directory_managed",
            "username",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# Fields an API client may write on a host (PUT sets all of them, PATCH those given).
HOST_INPUT_FIELDS = (*PERSON_FIELDS, "is_active")


class HostInputSerializer(serializers.Serializer):
    def get_fields(self):
        fields = {}
        for name in HOST_INPUT_FIELDS:
            if name == "is_active":
                fields[name] = serializers.BooleanField(required=False)
                continue
            model_field = Host._meta.get_field(name)
            field_class = (
                serializers.EmailField if name.endswith("email") else serializers.CharField
            )
            fields[name] = field_class(
                required=False, allow_blank=True, max_length=model_field.max_length
            )
        return fields

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Expected a JSON object."]})
        unknown = sorted(set(data) - set(HOST_INPUT_FIELDS))
        if unknown:
            raise serializers.ValidationError(
                {name: ["This field is unknown or read-only."] for name in unknown}
            )
        # The normal form before validation, as on the pages (services/text.py).
        return super().to_internal_value(normalise_host_values(data))


class HostListQuerySerializer(serializers.Serializer):
    """The query string of GET /hosts/: ?search=&active=&source=&page=."""

    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    source = serializers.ChoiceField(choices=Source.choices, required=False, allow_blank=True)

    def to_internal_value(self, data):
        data = {k: v for k, v in data.items() if not (k == "active" and v == "")}
        return super().to_internal_value(data)


class HostGroupOutputSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    is_directory_managed = serializers.BooleanField(read_only=True)

    class Meta:
        model = HostGroup
        fields = [
            "id",
            "name",
            "source",
            "is_directory_managed",
            "member_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
