#!/usr/bin/env python3
"""A local stand-in for the Zalo Official Account API's customer-service message endpoint, for RightsDesk's tests.

    python3 Tests/Fixtures/zalo-oa-stub.py --log FILE [--port 0] [--token TOKEN]
        [--fail-user USER_ID:CODE ...] [--fail-first N]

Only the standard library is used. It binds 127.0.0.1 (port 0 = a free port), prints exactly one line
`READY <port>` to stdout, and serves (HTTP/1.1, keep-alive) until SIGTERM or SIGINT, then exits 0.

POST /v3.0/oa/message/cs, header `access_token: TOKEN`, body
    {"recipient": {"user_id": "..."}, "message": {"text": "..."}}
Answers are HTTP 200 with JSON, as Zalo's are:
    success              {"data": {"message_id": "<32 hex>", "user_id": "<user_id>"}, "error": 0, "message": "Success"}
    wrong/missing token  {"error": -216, "message": "Access token is invalid"}
    malformed body, no user_id, no or empty text, text over 2000 characters
                         {"error": -201, "message": "Parameters are invalid"}
    --fail-user U:CODE   {"error": CODE, "message": "<Zalo's message for CODE>"} for recipient U (repeatable;
                         U:CODE:MESSAGE sets the message)
Checked in that order: token, body, fail-user. Without --token any non-empty access_token is accepted.
--fail-first N: the first N requests, whatever their path, get HTTP 503 with a plain-text body (an outage).
Any other path or method: HTTP 404, plain text.

Every request, the failed ones too, is appended to FILE as one JSON line, flushed before the answer is sent:
    {"path", "access_token" (null when missing), "body" (parsed JSON, or the raw text when it is not JSON),
     "method", "status" (the HTTP status sent), "response" (the JSON answer, or null)}
"""
import argparse
import json
import secrets
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

ENDPOINT = "/v3.0/oa/message/cs"
MAX_TEXT = 2000
MAX_BODY = 1024 * 1024

# Zalo's own wording for the codes the tests use; others get a generic message unless one is given.
ZALO_MESSAGES = {
    -201: "Parameters are invalid",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -230: "User has not interacted with the OA in the last 7 days",
}


def parse_fail_user(value):
    parts = value.split(":", 2)
    if len(parts) < 2 or not parts[0]:
        raise argparse.ArgumentTypeError("expected USER_ID:CODE[:MESSAGE], got %r" % value)
    try:
        code = int(parts[1])
    except ValueError:
        raise argparse.ArgumentTypeError("CODE must be an integer, got %r" % parts[1])
    message = parts[2] if len(parts) == 3 else ZALO_MESSAGES.get(code, "Unknown error")
    return parts[0], (code, message)


class State:
    def __init__(self, args):
        self.token = args.token
        self.fail_users = dict(args.fail_user)
        self.fail_first = args.fail_first
        self.requests = 0
        self.lock = threading.Lock()
        self.log = open(args.log, "a", encoding="utf-8")

    def count(self):
        with self.lock:
            self.requests += 1
            return self.requests

    def record(self, entry):
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        with self.lock:
            self.log.write(line)
            self.log.flush()


def invalid(code):
    return {"error": code, "message": ZALO_MESSAGES[code]}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "zalo-oa-stub/1"
    sys_version = ""
    state = None  # set in main

    def log_message(self, format, *args):
        pass  # FILE is the record; keep stderr quiet

    def read_body(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        length = max(0, min(length, MAX_BODY))
        return self.rfile.read(length) if length else b""

    def send(self, status, payload, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def handle_any(self):
        state = self.state
        raw = self.read_body()
        token = self.headers.get("access_token")
        text = raw.decode("utf-8", errors="replace")
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (UnicodeDecodeError, ValueError):
            body = None
            parsed = False
        else:
            parsed = raw != b""
        entry = {"path": self.path, "access_token": token, "body": body if parsed else text,
                 "method": self.command}

        # The line is written before the answer goes out, so a client that has its answer finds its line.
        if state.count() <= state.fail_first:
            status, answer, payload, content_type = 503, None, b"Service Temporarily Unavailable\n", "text/plain"
        elif self.command != "POST" or urlsplit(self.path).path != ENDPOINT:
            status, answer, payload, content_type = 404, None, b"Not Found\n", "text/plain"
        else:
            status, answer = 200, self.answer(token, body if parsed else None)
            payload, content_type = json.dumps(answer, ensure_ascii=False).encode("utf-8"), "application/json"
        entry["status"] = status
        entry["response"] = answer
        state.record(entry)
        self.send(status, payload, content_type + "; charset=utf-8")

    def answer(self, token, body):
        state = self.state
        if not token or (state.token is not None and token != state.token):
            return invalid(-216)
        if not isinstance(body, dict):
            return invalid(-201)
        recipient, message = body.get("recipient"), body.get("message")
        user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(user_id, str) or not user_id or not isinstance(text, str) or not text \
                or len(text) > MAX_TEXT:
            return invalid(-201)
        if user_id in state.fail_users:
            code, msg = state.fail_users[user_id]
            return {"error": code, "message": msg}
        return {"data": {"message_id": secrets.token_hex(16), "user_id": user_id}, "error": 0, "message": "Success"}

    do_POST = do_GET = do_PUT = do_DELETE = do_PATCH = handle_any


def main(argv=None):
    p = argparse.ArgumentParser(description="Zalo OA API stand-in on 127.0.0.1 for RightsDesk's tests")
    p.add_argument("--log", required=True, help="JSON lines file, one line per request (appended)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 (the default) picks a free one")
    p.add_argument("--token", help="the one valid access_token (default: any non-empty one)")
    p.add_argument("--fail-user", action="extend", nargs="+", type=parse_fail_user, default=[],
                   metavar="USER_ID:CODE", help="answer messages to USER_ID with Zalo error CODE (repeatable)")
    p.add_argument("--fail-first", type=int, default=0, metavar="N", help="answer the first N requests with 503")
    args = p.parse_args(sys.argv[1:] if argv is None else argv)
    if args.fail_first < 0:
        p.error("--fail-first must be 0 or more")

    Handler.state = State(args)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sys.stdout.write("READY %d\n" % server.server_address[1])
    sys.stdout.flush()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    Handler.state.log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
