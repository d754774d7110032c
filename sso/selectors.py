from sso.models import SsoConnection, SsoDomain, SsoEvent


def connection_of(account):
    return (
        SsoConnection.objects.filter(account=account)
        .prefetch_related("domains", "break_glass_admins")
        .first()
    )


def connection_for_email(email):
    """The connection whose domains include the e-mail's domain, or None."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    row = (
        SsoDomain.objects.filter(domain=domain)
        .select_related("connection", "connection__account")
        .first()
    )
    return row.connection if row else None


def recent_events(account, limit=10):
    return list(SsoEvent.objects.filter(account=account).select_related("user")[:limit])


def events(account):
    return SsoEvent.objects.filter(account=account).select_related("user")
