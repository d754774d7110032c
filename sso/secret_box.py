"""Encryption of the client secrets at rest (Fernet, keyed from SECRET_KEY).

A client secret must be sent to the provider's token endpoint, so unlike the SCIM tokens it
cannot be hashed. The key is derived from SECRET_KEY (HKDF, its own context string), so a
copy of the database alone does not reveal secrets; SECRET_KEY_FALLBACKS keep decrypting
after a key rotation until the secrets are saved again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_CONTEXT = b"visitor-mgmt sso client secret v1"


class SecretUnreadable(Exception):
    """The stored secret was encrypted under a key this server no longer has."""


def _fernet(secret_key):
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_CONTEXT).derive(
        secret_key.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def _box():
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_fernet(key) for key in keys])


def encrypt_secret(plain):
    return _box().encrypt(plain.encode()).decode()


def decrypt_secret(token):
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        raise SecretUnreadable(
            "The client secret cannot be decrypted (SECRET_KEY changed?): save it again."
        ) from None
