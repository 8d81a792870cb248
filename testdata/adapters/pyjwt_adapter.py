#!/usr/bin/python3
"""`assay vectors run` adapter for PyJWT (Debian python3-jwt), a verifier nobody on assay wrote.

Reads the assertion on stdin and the group's context from the ASSAY_* environment variables
(testdata/README.md). Exit 0 means PyJWT accepts the assertion, 1 that it rejects it, and 2 that
the adapter itself failed (no verdict: `assay vectors run` counts it as an error).

PyJWT is configured the way an integrator would use it to authenticate a client: the allowed
algorithms, the expected audience(s), issuer = client ID, the clock skew as leeway, and exp, iss,
sub and aud required (jti too when the profile requires it). PyJWT 2.6 has no `subject` option,
so the adapter compares sub with the client ID itself; it checks nothing else by hand.
"""
import datetime
import json
import os
import sys

try:
    import jwt
    from cryptography import x509
except ImportError as e:  # no PyJWT here: no verdict, not a rejection
    print(f"adapter error: {e}")
    sys.exit(2)


def audiences():
    profile = os.environ["ASSAY_PROFILE"]
    if profile == "entra":
        return [os.environ["ASSAY_TOKEN_ENDPOINT"]]
    if profile == "rfc7523bis":
        return [os.environ["ASSAY_ISSUER"]]
    return [os.environ["ASSAY_TOKEN_ENDPOINT"], os.environ["ASSAY_ISSUER"]]


def keys(token):
    cert_file = os.environ.get("ASSAY_CERT_PEM_FILE")
    if cert_file:
        return [x509.load_pem_x509_certificate(open(cert_file, "rb").read()).public_key()]
    jwks = jwt.PyJWKSet.from_dict(json.load(open(os.environ["ASSAY_JWKS_FILE"])))
    kid = jwt.get_unverified_header(token).get("kid")
    return [k.key for k in jwks.keys if kid is None or k.key_id == kid]


def main():
    token = sys.stdin.read().strip()
    client_id = os.environ["ASSAY_CLIENT_ID"]
    required = ["exp", "iss", "sub", "aud"] + (["jti"] if os.environ.get("ASSAY_REQUIRE_JTI") == "1" else [])
    fixed = datetime.datetime.fromtimestamp(int(os.environ["ASSAY_NOW"]), tz=datetime.timezone.utc)

    class FixedClock(datetime.datetime):  # the vector's "now", as PyJWT 2.6 reads the clock
        @classmethod
        def now(cls, tz=None):
            return fixed if tz else fixed.replace(tzinfo=None)

        @classmethod
        def utcnow(cls):
            return fixed.replace(tzinfo=None)

    jwt.api_jwt.datetime = FixedClock
    last_error = "no key"
    try:
        candidates = keys(token)
    except Exception as e:  # a malformed header
        print(f"rejected: {type(e).__name__}: {e}")
        return 1
    for key in candidates:
        try:
            claims = jwt.decode(token, key=key, algorithms=os.environ["ASSAY_ALLOWED_ALGS"].split(","),
                                audience=audiences(), issuer=client_id,
                                leeway=int(os.environ["ASSAY_SKEW"]),
                                options={"require": required})
        except Exception as e:
            last_error = f"{type(e).__name__}: {e}"
            continue
        if claims.get("sub") != client_id:
            print("rejected: sub is not the client ID")
            return 1
        print("accepted")
        return 0
    print(f"rejected: {last_error}")
    return 1


if __name__ == "__main__":
    try:
        status = main()
    except Exception as e:  # the adapter failed, PyJWT gave no verdict: not a rejection
        print(f"adapter error: {type(e).__name__}: {e}")
        status = 2
    sys.exit(status)
