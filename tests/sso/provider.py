"""A real OpenID Connect provider for the tests: oidc-provider-mock (Flask) on a loopback port.

It serves discovery, its signing keys (JWKS), an authorization form that signs in whoever's
``sub`` is typed, and tokens. Two additions, both for tests of what the product must refuse:

- ``tamper``: rewrite the ID token the token endpoint returns (a changed claim under the
  original signature, or claims re-signed with the provider's own key: expired, another
  issuer or audience, no nonce; or a token signed by a key the provider never published).
- ``seen``: the PKCE code_challenge of each authorization request and the code_verifier of
  each token request, to check the product's PKCE on the wire.
"""

import base64
import hashlib
import json
import logging
import threading
import time
import urllib.parse

import flask
import oidc_provider_mock
import requests
import werkzeug.serving
from joserfc import jwt
from joserfc.jwk import RSAKey

# Talk to the provider directly, never through a proxy from the environment.
_http = requests.Session()
_http.trust_env = False


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Provider:
    def __init__(self):
        # Its request lines would fill the test output.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self.tamper = None
        self.seen = {"code_challenges": [], "code_verifiers": [], "nonces": [], "client_auth": []}
        self.app = oidc_provider_mock.app(require_nonce=False)
        self.app.before_request(self._record)
        self.app.after_request(self._rewrite_id_token)
        self.server = werkzeug.serving.make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,))
        self.thread.daemon = True
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def reset(self):
        self.tamper = None
        for values in self.seen.values():
            values.clear()

    def set_user(self, sub, **claims):
        response = _http.put(f"{self.url}/users/{urllib.parse.quote(sub)}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url, sub):
        """What a person does at the provider: sign in as ``sub``. Returns the redirect back."""
        assert authorization_url.startswith(self.url + "/oauth2/authorize"), authorization_url
        form = _http.get(authorization_url, timeout=5)
        assert form.status_code == 200, form.text
        response = _http.post(
            authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5
        )
        assert response.status_code == 302, response.text
        return response.headers["Location"]

    # --- hooks inside the provider ---

    def _record(self):
        request = flask.request
        if request.path == "/oauth2/authorize" and request.method == "GET":
            self.seen["code_challenges"].append(
                (request.args.get("code_challenge"), request.args.get("code_challenge_method"))
            )
            self.seen["nonces"].append(request.args.get("nonce"))
        if request.path == "/oauth2/token":
            self.seen["code_verifiers"].append(request.form.get("code_verifier"))
            auth = request.authorization
            if auth is not None:
                self.seen["client_auth"].append(f"{auth.username}:{auth.password}")

    def _rewrite_id_token(self, response):
        if (
            self.tamper is None
            or flask.request.path != "/oauth2/token"
            or response.status_code != 200
        ):
            return response
        body = json.loads(response.get_data())
        id_token = body.get("id_token")
        if not id_token:
            return response
        header_b64, payload_b64, signature = id_token.split(".")
        header = json.loads(_unb64(header_b64))
        claims = json.loads(_unb64(payload_b64))
        key = RSAKey.import_key(flask.g.oidc_provider_mock_storage.jwk.as_dict(is_private=True))
        mode = self.tamper
        now = int(time.time())
        if mode == "no-id-token":
            del body["id_token"]
        elif mode == "changed-claim":
            # Somebody edits the token in transit: the signature no longer covers it.
            claims["email"] = "ceo@acme.example"
            body["id_token"] = ".".join([header_b64, _b64(json.dumps(claims).encode()), signature])
        elif mode == "foreign-key":
            kid = {"kid": header["kid"]} if header.get("kid") else None
            stranger = RSAKey.generate_key(2048, parameters=kid)
            body["id_token"] = jwt.encode(header, claims, stranger)
        else:
            if mode == "expired":
                claims["iat"] = now - 7200
                claims["exp"] = now - 3600
            elif mode == "wrong-issuer":
                claims["iss"] = "https://login.evil.example/v2.0"
            elif mode == "wrong-audience":
                claims["aud"] = "another-application"
            elif mode == "no-nonce":
                claims.pop("nonce", None)
            elif mode == "wrong-nonce":
                claims["nonce"] = "a-nonce-of-another-sign-in"
            else:
                raise AssertionError(f"unknown tamper mode {mode}")
            body["id_token"] = jwt.encode(header, claims, key)
        response.set_data(json.dumps(body))
        return response


def pkce_matches(verifier, challenge):
    return _b64(hashlib.sha256(verifier.encode()).digest()) == challenge
