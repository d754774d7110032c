"""Small helpers shared by the kiosk tests."""

import socket


def visitor(**extra):
    data = {
        "visitor_name": "Vera Visitor",
        "visitor_email": "vera@visitor.example",
        "visitor_company": "Initech",
    }
    data.update(extra)
    return data


def closed_port():
    """A local TCP port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
