#!/usr/bin/python3
"""A check-in client written from docs/check-in-telegram.md alone (no code of
hicom-sim behind it): Python's standard library plus the `cryptography`
package for AES-256-GCM (Debian: python3-cryptography).

    check_in_client.py decode KEY_HEX DATAGRAM_HEX
        prints the decoded telegram as one JSON line

    check_in_client.py session HOST PORT DEVICE_ID KEY_BASE64
        checks in with a real centre over UDP and prints one JSON line per
        step: a check-in with an event (ack expected), the same datagram
        again (nak replay), a check-in with the clock 10 minutes off (nak
        clock-skew), and one under a wrong key (no answer).
"""
import json
import os
import socket
import struct
import sys
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"HST1"
TYPES = {0x01: "check-in", 0x81: "ack", 0x82: "nak"}
CODES = {v: k for k, v in TYPES.items()}
ID_CHARS = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


def encode(kind, device_id, counter, when, body, key, nonce=None):
    ident = device_id.encode("ascii")
    nonce = nonce or os.urandom(12)
    header = MAGIC + bytes([CODES[kind], len(ident)]) + ident + struct.pack(">II", counter, when) + nonce
    plaintext = json.dumps(body, separators=(",", ":")).encode("utf-8")
    sealed = AESGCM(key).encrypt(nonce, plaintext, header)  # ciphertext || 16-byte tag
    datagram = header + sealed
    assert len(datagram) <= 1200
    return datagram


def decode(datagram, key):
    if len(datagram) > 1200 or len(datagram) < 6 or datagram[:4] != MAGIC:
        raise ValueError("not a telegram")
    kind = TYPES[datagram[4]]
    n = datagram[5]
    if not 1 <= n <= 32 or len(datagram) < 42 + n:
        raise ValueError("bad id length")
    ident = datagram[6:6 + n]
    if not set(ident) <= ID_CHARS:
        raise ValueError("bad id")
    counter, when = struct.unpack(">II", datagram[6 + n:14 + n])
    nonce = datagram[14 + n:26 + n]
    body = AESGCM(key).decrypt(nonce, datagram[26 + n:], datagram[:26 + n])
    return {"type": kind, "id": ident.decode("ascii"), "counter": counter, "time": when, "body": json.loads(body.decode("utf-8"))}


def exchange(sock, addr, datagram, key, timeout=2.0):
    sock.settimeout(timeout)
    sent = time.monotonic()
    sock.sendto(datagram, addr)
    try:
        data, _ = sock.recvfrom(2048)
    except socket.timeout:
        return None, time.monotonic() - sent
    return decode(data, key), time.monotonic() - sent


def session(host, port, device_id, key_b64):
    import base64
    key = base64.b64decode(key_b64)
    addr = (host, int(port))
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
    counter = int(time.time()) & 0xFFFF  # any fresh start; kept rising below
    now = int(time.time())
    event = {"seq": 1, "time": now, "type": "door-open"}
    first = encode("check-in", device_id, counter, now, {"status": {"kind": "python"}, "events": [event]}, key)
    answer, _ = exchange(sock, addr, first, key)
    print(json.dumps({"step": "check-in", "answer": answer}), flush=True)
    answer, _ = exchange(sock, addr, first, key)
    print(json.dumps({"step": "replay", "answer": answer}), flush=True)
    counter += 1
    skewed = encode("check-in", device_id, counter, now + 600, {}, key)
    answer, _ = exchange(sock, addr, skewed, key)
    print(json.dumps({"step": "clock-skew", "answer": answer}), flush=True)
    counter += 1
    wrong = encode("check-in", device_id, counter, now, {}, bytes(32))
    answer, _ = exchange(sock, addr, wrong, key, timeout=0.5)
    print(json.dumps({"step": "wrong-key", "answer": answer}), flush=True)


def main(argv):
    if len(argv) == 4 and argv[1] == "decode":
        print(json.dumps(decode(bytes.fromhex(argv[3]), bytes.fromhex(argv[2]))))
    elif len(argv) == 6 and argv[1] == "session":
        session(*argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
