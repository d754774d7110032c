"""One way to show a date and time on every page: ``{{ value|when }}``.

"30 Nov 2026, 14:05 CET", in the time zone the request runs in (the account's: see
visitor_mgmt/time_zones.py), always naming the zone, inside ``<time datetime="…">`` with
the exact moment for machines and assistive technology. ``|when_text`` is the same
without markup (e-mails), ``|day`` a date alone ("30 Nov 2026").
"""

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

register = template.Library()

# The one format (Django's date syntax): day, short month, year, 24-hour time, zone.
DATETIME_FORMAT = "j M Y, H:i T"
DATE_FORMAT = "j M Y"


def _local(value):
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return timezone.localtime(value)


@register.filter
def when_text(value):
    if not value:
        return ""
    return dateformat.format(_local(value), DATETIME_FORMAT)


@register.filter
def when(value):
    if not value:
        return ""
    local = _local(value)
    return format_html(
        '<time datetime="{}">{}</time>',
        local.isoformat(timespec="seconds"),
        dateformat.format(local, DATETIME_FORMAT),
    )


@register.filter
def day(value):
    if not value:
        return ""
    local = _local(value) if hasattr(value, "hour") else value
    return format_html(
        '<time datetime="{}">{}</time>',
        local.strftime("%Y-%m-%d"),
        dateformat.format(local, DATE_FORMAT),
    )
