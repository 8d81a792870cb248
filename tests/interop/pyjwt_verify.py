#!/usr/bin/python3
"""Verifies a JWT with PyJWT (Debian python3-jwt): an implementation nobody on assay wrote.

usage: pyjwt_verify.py TOKEN_FILE CERT_PEM ALG AUDIENCE
Exits 0 when PyJWT accepts the token (signature, exp, nbf, iat, aud), 1 otherwise.
"""
import sys

import jwt
from cryptography import x509


def main():
    token_file, cert_file, alg, audience = sys.argv[1:5]
    token = open(token_file).read().strip()
    cert = x509.load_pem_x509_certificate(open(cert_file, "rb").read())
    try:
        claims = jwt.decode(token, key=cert.public_key(), algorithms=[alg], audience=audience,
                            options={"require": ["exp", "iss", "sub", "aud", "jti"]})
    except jwt.PyJWTError as e:
        print(f"pyjwt rejected the token: {type(e).__name__}: {e}")
        return 1
    header = jwt.get_unverified_header(token)
    if header.get("alg") != alg or claims["iss"] != claims["sub"]:
        print(f"unexpected header or claims: {header} {claims}")
        return 1
    print(f"pyjwt {jwt.__version__} verified {alg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
