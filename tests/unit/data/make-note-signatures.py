#!/usr/bin/env python3
# Makes the signed-note fixtures of tests/unit/test_jws.c and tests/unit/test_note.c with
# Python's "cryptography", apart from ehrterm's own signer, so that jws_verify is checked
# against signatures it did not make: note-signed-body.txt, and note-signed-es256.jws and
# note-signed-rs256.jws, detached JWS (RFC 7515 Appendix F) over it naming
# DocumentReference/n1, each with a fresh self-signed certificate in x5c. The keys are
# thrown away. Run from this directory: python3 make-note-signatures.py
import base64, datetime, json
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

BODY = ("Progress note\n\nS: Cough for three days, no fever.\n"
        "O: Lungs clear. SpO2 98 %.\nA/P: Viral URI; fluids, return if worse. \u00e9\u00e8\n").encode()

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b'=').decode()

def cert_for(key, cn):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
    return (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))

def jws(key, cn, alg):
    der = cert_for(key, cn).public_bytes(serialization.Encoding.DER)
    header = json.dumps({"alg": alg, "x5c": [base64.b64encode(der).decode()],
                         "urn:ehrterm:target": "DocumentReference/n1"}, separators=(',', ':'))
    h = b64url(header.encode())
    tbs = (h + '.' + b64url(BODY)).encode()
    if alg == 'ES256':
        r, s = decode_dss_signature(key.sign(tbs, ec.ECDSA(hashes.SHA256())))
        sig = r.to_bytes(32, 'big') + s.to_bytes(32, 'big')
    else:
        sig = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    return h + '..' + b64url(sig)

open('note-signed-body.txt', 'wb').write(BODY)
open('note-signed-es256.jws', 'w').write(jws(ec.generate_private_key(ec.SECP256R1()), 'Dr. Ada Ortiz', 'ES256'))
open('note-signed-rs256.jws', 'w').write(jws(rsa.generate_private_key(65537, 2048), 'Dr. Ben Okafor', 'RS256'))
