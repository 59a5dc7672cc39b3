#!/usr/bin/env python3
"""An HTTP server on 127.0.0.1 that answers every request with one hostile answer, for the CLI's tests.

    hostile_http_server.py CASE     prints "port N" once it listens (on a port the system chose), then serves until
                                    killed; CASE is one of the names in ANSWERS below
"""
import socket
import sys
import threading

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"


def send_endless_header_lines(conn):
    conn.sendall(HEAD)
    line = b"X-Padding: " + b"a" * 64 + b"\r\n"
    while True:  # until the client gives up and the send fails
        conn.sendall(line * 64)


def send_endless_body(conn):
    conn.sendall(HEAD + b"\r\n")  # no length: the body runs to the close, which never comes
    while True:
        conn.sendall(b"x" * 65536)


def send_mid_body_close(conn):
    conn.sendall(HEAD + b"Content-Length: 1000\r\n\r\n" + b'{"name":"cut')


ANSWERS = {
    # The chunk size of issue 14: added to a pointer, it wrapped the client's bounds check.
    "chunk-size-wraps": HEAD + b"Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n",
    # A chunk size that fits 64 bits after its digits are read but not the answer.
    "chunk-size-past-end": HEAD + b"Transfer-Encoding: chunked\r\n\r\n7fffffff\r\n{}\r\n0\r\n\r\n",
    "chunk-size-32-bits-wrap": HEAD + b"Transfer-Encoding: chunked\r\n\r\n1" + b"0" * 8 + b"\r\n{}\r\n0\r\n\r\n",
    "chunk-longer-than-sent": HEAD + b"Transfer-Encoding: chunked\r\n\r\n40\r\n{}\r\n0\r\n\r\n",
    "chunk-without-end": HEAD + b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}",
    "content-length-huge": HEAD + b"Content-Length: 18446744073709551615\r\n\r\n{}",
    "content-length-too-many-digits": HEAD + b"Content-Length: 123456789012345678901234567890\r\n\r\n{}",
    "content-length-negative": HEAD + b"Content-Length: -2\r\n\r\n{}",
    "content-length-over-limit": HEAD + b"Content-Length: 16777217\r\n\r\n{}",
    "content-lengths-disagree": HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "truncated-head": b"HTTP/1.1 200 OK\r\nContent-Type: applic",
    "not-http": b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
    "status-not-a-number": b"HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}",
    "nul-in-head": b"HTTP/1.1 200 OK\r\nContent-\x00Length: 2\r\n\r\n{}",
    "unknown-transfer-coding": HEAD + b"Transfer-Encoding: gzip\r\n\r\n{}",
    "endless-header-lines": send_endless_header_lines,
    "endless-body": send_endless_body,
    "closed-mid-body": send_mid_body_close,
}


def serve(conn, answer):
    try:
        conn.settimeout(10)
        request = b""
        while b"\r\n\r\n" not in request:
            more = conn.recv(4096)
            if not more:
                return
            request += more
        if callable(answer):
            answer(conn)
        else:
            conn.sendall(answer)
    except OSError:
        pass  # the client hung up: what the hostile answers are for
    finally:
        conn.close()


def main():
    answer = ANSWERS[sys.argv[1]]
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    print(f"port {listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, answer), daemon=True).start()


if __name__ == "__main__":
    main()
