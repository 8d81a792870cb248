#!/usr/bin/python3
"""Generates the test-only keys and certificates in this directory.

Run with Debian's /usr/bin/python3 (python3-cryptography) and the openssl command line:
    /usr/bin/python3 testdata/keys/generate.py [NAME...]
With names (e.g. ec-p256-b), only those keys and their certificates are (re)made. The outputs are committed: every conformance vector and golden file refers to these exact keys,
so regenerating them means regenerating the vectors (`assay vectors generate`) too.
These keys protect nothing. Never use them outside tests.
"""
import base64
import datetime
import json
import os
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519
from cryptography.x509.oid import NameOID

HERE = os.path.dirname(os.path.abspath(__file__))
PASSWORD = b"assay-test"
NOT_BEFORE = datetime.datetime(2025, 1, 1)
NOT_AFTER = datetime.datetime(2045, 1, 1)


def write(name, data, mode=0o644):
    path = os.path.join(HERE, name)
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def b64u(n_bytes):
    return base64.urlsafe_b64encode(n_bytes).rstrip(b"=").decode()


def int_bytes(i, length=None):
    length = length or (i.bit_length() + 7) // 8
    return i.to_bytes(length, "big")


def cert_for(key, cn, not_before=NOT_BEFORE, not_after=NOT_AFTER, serial=None):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "assay test keys")])
    builder = (x509.CertificateBuilder()
               .subject_name(name).issuer_name(name)
               .public_key(key.public_key())
               .serial_number(serial or x509.random_serial_number())
               .not_valid_before(not_before).not_valid_after(not_after)
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, key_cert_sign=False,
                                            crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True))
    return builder.sign(key, hashes.SHA256())


def jwk_of(key, private):
    if isinstance(key, rsa.RSAPrivateKey):
        pub = key.public_key().public_numbers()
        out = {"kty": "RSA", "n": b64u(int_bytes(pub.n)), "e": b64u(int_bytes(pub.e))}
        if private:
            p = key.private_numbers()
            out.update({"d": b64u(int_bytes(p.d)), "p": b64u(int_bytes(p.p)),
                        "q": b64u(int_bytes(p.q)), "dp": b64u(int_bytes(p.dmp1)),
                        "dq": b64u(int_bytes(p.dmq1)), "qi": b64u(int_bytes(p.iqmp))})
        return out
    size = {"secp256r1": 32, "secp384r1": 48, "secp521r1": 66}[key.curve.name]
    crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}[key.curve.name]
    pub = key.public_key().public_numbers()
    out = {"kty": "EC", "crv": crv, "x": b64u(int_bytes(pub.x, size)), "y": b64u(int_bytes(pub.y, size))}
    if private:
        out["d"] = b64u(int_bytes(key.private_numbers().private_value, size))
    return out


def pem_key(key, fmt=serialization.PrivateFormat.PKCS8, enc=None):
    return key.private_bytes(serialization.Encoding.PEM, fmt,
                             enc or serialization.NoEncryption())


def openssl_pfx(name, key_file, cert_file, legacy):
    args = ["openssl", "pkcs12", "-export", "-inkey", os.path.join(HERE, key_file),
            "-in", os.path.join(HERE, cert_file), "-out", os.path.join(HERE, name),
            "-passout", "pass:" + PASSWORD.decode(), "-name", "assay test"]
    if legacy:
        args.append("-legacy")
    subprocess.run(args, check=True)


def main():
    only = set(sys.argv[1:])  # e.g. "ec-p256-b": (re)generate only these keys and their files
    keys = {}
    # RSA: the main key (a), a second key (b) for mismatch cases, and a weak 1024-bit key.
    for name, bits in [("rsa-2048", 2048), ("rsa-2048-b", 2048), ("rsa-1024", 1024),
                       ("rsa-3072", 3072)]:
        keys[name] = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    for name, curve in [("ec-p256", ec.SECP256R1()), ("ec-p256-b", ec.SECP256R1()),
                        ("ec-p384", ec.SECP384R1()), ("ec-p521", ec.SECP521R1())]:
        keys[name] = ec.generate_private_key(curve)
    if only:
        keys = {k: v for k, v in keys.items() if k in only}

    for name, key in keys.items():
        write(f"{name}.key.pem", pem_key(key), 0o600)
        cert = cert_for(key, f"assay test {name}")
        write(f"{name}.crt.pem", cert.public_bytes(serialization.Encoding.PEM))
        write(f"{name}.crt.der", cert.public_bytes(serialization.Encoding.DER))
        write(f"{name}.pub.pem", key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
        write(f"{name}.jwk.json", (json.dumps(jwk_of(key, True), indent=2) + "\n").encode(), 0o600)
        write(f"{name}.pub.jwk.json", (json.dumps(jwk_of(key, False), indent=2) + "\n").encode())

    if only:
        return
    a = keys["rsa-2048"]
    # Other encodings of the main RSA key.
    write("rsa-2048.pkcs1.pem", pem_key(a, serialization.PrivateFormat.TraditionalOpenSSL), 0o600)
    write("rsa-2048.enc.pem",
          pem_key(a, enc=serialization.BestAvailableEncryption(PASSWORD)), 0o600)
    write("rsa-2048.pkcs1-enc.pem",
          pem_key(a, serialization.PrivateFormat.TraditionalOpenSSL,
                  serialization.BestAvailableEncryption(PASSWORD)), 0o600)
    write("rsa-2048.key.der", a.private_bytes(serialization.Encoding.DER,
                                              serialization.PrivateFormat.PKCS8,
                                              serialization.NoEncryption()), 0o600)
    write("rsa-2048.pkcs1pub.pem", a.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.PKCS1))
    write("ec-p256.sec1.pem", pem_key(keys["ec-p256"], serialization.PrivateFormat.TraditionalOpenSSL), 0o600)
    # The same RSA key in certificates outside their validity window.
    write("rsa-2048-expired.crt.pem", cert_for(a, "assay test rsa-2048 expired",
                                               datetime.datetime(2020, 1, 1),
                                               datetime.datetime(2021, 1, 1)).public_bytes(serialization.Encoding.PEM))
    write("rsa-2048-future.crt.pem", cert_for(a, "assay test rsa-2048 future",
                                              datetime.datetime(2040, 1, 1),
                                              datetime.datetime(2050, 1, 1)).public_bytes(serialization.Encoding.PEM))
    # Key and certificate in one PEM file, as `openssl pkcs12 -nodes` writes them.
    with open(os.path.join(HERE, "rsa-2048.crt.pem"), "rb") as f:
        write("rsa-2048.bundle.pem", pem_key(a) + f.read(), 0o600)
    # PKCS#12: modern (AES-256, PBKDF2) and legacy (RC2-40 + 3DES, as Windows exports them).
    openssl_pfx("rsa-2048.pfx", "rsa-2048.key.pem", "rsa-2048.crt.pem", legacy=False)
    openssl_pfx("rsa-2048-legacy.pfx", "rsa-2048.key.pem", "rsa-2048.crt.pem", legacy=True)
    openssl_pfx("ec-p256.pfx", "ec-p256.key.pem", "ec-p256.crt.pem", legacy=False)
    # A JWKS with both RSA keys and the P-256 key, each with a kid.
    jwks = {"keys": []}
    for name in ["rsa-2048", "rsa-2048-b", "ec-p256"]:
        k = jwk_of(keys[name], False)
        k["kid"] = name
        k["use"] = "sig"
        jwks["keys"].append(k)
    write("jwks.json", (json.dumps(jwks, indent=2) + "\n").encode())
    # An unsupported key type.
    write("ed25519.key.pem", pem_key(ed25519.Ed25519PrivateKey.generate()), 0o600)


if __name__ == "__main__":
    main()
