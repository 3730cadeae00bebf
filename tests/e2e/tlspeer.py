#!/usr/bin/env python3
"""tlspeer.py - a peer of xenithd's migration listener, good or bad, for
the end-to-end tests.

  tlspeer.py PORT MODE [CERTDIR [HELLO_HOST]]

MODE: plain (TCP bytes, no TLS), tls12 (TLS 1.2 at most), nocert (TLS 1.3
without a client certificate), cert (TLS 1.3 with CERTDIR's host.crt and
host.key, trusting CERTDIR's ca.crt, then a hello naming HELLO_HOST).
Prints one line: "handshake failed: ...", "closed", "hello: {...}" (the
listener's hello) or "refuse: {...}", and exits 0; 2 on a usage error.
"""
import json
import socket
import ssl
import struct
import sys

def frame(ftype, obj):
    body = json.dumps(obj).encode()
    return b"XM" + bytes([1, ftype]) + struct.pack(">I", len(body)) + body

def read_frame(s):
    hdr = b""
    while len(hdr) < 8:
        chunk = s.recv(8 - len(hdr))
        if not chunk:
            return None, None
        hdr += chunk
    n = struct.unpack(">I", hdr[4:8])[0]
    body = b""
    while len(body) < n:
        chunk = s.recv(n - len(body))
        if not chunk:
            return None, None
        body += chunk
    return hdr[3], body

def main():
    if len(sys.argv) < 3:
        sys.exit(2)
    port, mode = int(sys.argv[1]), sys.argv[2]
    certdir = sys.argv[3] if len(sys.argv) > 3 else None
    raw = socket.create_connection(("127.0.0.1", port), timeout=30)
    if mode == "plain":
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
        try:
            data = raw.recv(100)
            print("closed" if not data else "answered %r" % data[:40])
        except OSError as e:
            print("closed: %s" % e)
        return
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if mode == "tls12":
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    else:
        ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    if mode == "cert":
        ctx.load_cert_chain(certdir + "/host.crt", certdir + "/host.key")
    try:
        s = ctx.wrap_socket(raw)
        if mode == "cert":
            host = sys.argv[4] if len(sys.argv) > 4 else "peer"
            s.sendall(frame(1, {"versions": [1, 1], "host": host,
                                "caps": ["zstd"]}))
        ftype, body = read_frame(s)
    except (ssl.SSLError, OSError) as e:
        print("handshake failed: %s" % e)
        return
    if ftype is None:
        print("closed")
    elif ftype == 1:
        print("hello: %s" % body.decode())
    elif ftype == 4:
        print("refuse: %s" % body.decode())
    else:
        print("frame %d" % ftype)

main()
