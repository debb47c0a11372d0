#!/usr/bin/env python3
"""A real SMTP server on loopback for RightsDesk's mail tests, built on aiosmtpd (PyPI).

Run it with the virtualenv that scripts/install-deps makes:

    .venv-mail/bin/python Tests/Fixtures/smtp-sink.py --dir DIR [--port 0] [--fail-first N]
        [--reject-rcpt ADDR ...] [--tls-cert CERT --tls-key KEY]

It binds 127.0.0.1 (port 0 = a free port), prints exactly one line `READY <port>` to stdout, and serves until
SIGTERM or SIGINT, then exits 0.

Every accepted message is written to DIR (made if missing), before the client gets its 250, as:
    NNNN.eml   the message bytes exactly as received (CRLF kept, dot-stuffing undone), from 0001 up
    NNNN.json  {"mail_from", "rcpt_tos", "peer": [host, port], "mail_options", "smtp_utf8", "tls", "auth_login"}
each written to a hidden temporary file and renamed into place, the .eml first, so a reader that sees NNNN.json
sees the whole message. The reply is `250 2.0.0 Ok: queued as NNNN`.

--fail-first N      the first N messages (DATA transactions, counted after their content arrives) get
                    `451 4.3.0 Temporary failure, try again later` and are not stored.
--reject-rcpt ADDR  RCPT TO:<ADDR> gets `550 5.1.1 No such user` (compared case-insensitively; repeatable).
--tls-cert/--tls-key  STARTTLS is offered and required before MAIL, and AUTH PLAIN/LOGIN as user `rd` with
                    password `secret` is offered only after TLS and required before MAIL. Without them there is
                    no TLS and no AUTH is needed.
SMTPUTF8 and 8BITMIME are offered and bytes are kept undecoded; messages over 10 MiB get 552 (SIZE is advertised).
"""
import argparse
import asyncio
import json
import logging
import os
import signal
import ssl
import sys

try:
    from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword
except ImportError:
    sys.exit("smtp-sink.py needs aiosmtpd: run scripts/install-deps, then start it with .venv-mail/bin/python")

AUTH_USER = b"rd"
AUTH_PASSWORD = b"secret"
DATA_SIZE_LIMIT = 10 * 1024 * 1024


def write_atomically(path, data):
    directory, name = os.path.split(path)
    tmp = os.path.join(directory, "." + name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class Sink:
    def __init__(self, directory, fail_first, reject_rcpt):
        self.directory = directory
        self.fail_first = fail_first
        self.reject_rcpt = {a.casefold() for a in reject_rcpt}
        self.data_attempts = 0
        self.stored = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.casefold() in self.reject_rcpt:
            return "550 5.1.1 No such user"
        envelope.rcpt_options.extend(rcpt_options)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.data_attempts += 1
        if self.data_attempts <= self.fail_first:
            return "451 4.3.0 Temporary failure, try again later"
        self.stored += 1
        number = "%04d" % self.stored
        content = envelope.original_content
        if content is None:
            content = envelope.content
        if isinstance(content, str):
            content = content.encode("utf-8", errors="surrogateescape")
        peer = session.peer
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "peer": list(peer) if isinstance(peer, (tuple, list)) else peer,
            "mail_options": list(envelope.mail_options),
            "smtp_utf8": bool(envelope.smtp_utf8),
            "tls": session.ssl is not None,
            "auth_login": (session.auth_data.login.decode("utf-8", "replace")
                           if isinstance(session.auth_data, LoginPassword) else None),
        }
        write_atomically(os.path.join(self.directory, number + ".eml"), content)
        write_atomically(os.path.join(self.directory, number + ".json"),
                         (json.dumps(meta, ensure_ascii=False, indent=1) + "\n").encode("utf-8", "surrogateescape"))
        return "250 2.0.0 Ok: queued as " + number


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = (mechanism in ("PLAIN", "LOGIN") and isinstance(auth_data, LoginPassword)
          and auth_data.login == AUTH_USER and auth_data.password == AUTH_PASSWORD)
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def parse_args(argv):
    p = argparse.ArgumentParser(description="SMTP sink on 127.0.0.1 for RightsDesk's tests")
    p.add_argument("--dir", required=True, help="where NNNN.eml and NNNN.json are written (made if missing)")
    p.add_argument("--port", type=int, default=0, help="port on 127.0.0.1; 0 (the default) picks a free one")
    p.add_argument("--fail-first", type=int, default=0, metavar="N", help="answer the first N DATA with 451")
    p.add_argument("--reject-rcpt", action="extend", nargs="+", default=[], metavar="ADDR",
                   help="answer RCPT TO for ADDR with 550 (repeatable)")
    p.add_argument("--tls-cert", help="PEM certificate: offer and require STARTTLS, then AUTH")
    p.add_argument("--tls-key", help="PEM private key for --tls-cert")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if args.fail_first < 0:
        p.error("--fail-first must be 0 or more")
    return args


class _QuietDeprecation(logging.Filter):
    # aiosmtpd 1.4 warns about its own use of Session.login_data on every AUTH; the sink never reads it.
    def filter(self, record):
        return "login_data is deprecated" not in record.getMessage()


async def serve(args):
    os.makedirs(args.dir, exist_ok=True)
    sink = Sink(args.dir, args.fail_first, args.reject_rcpt)
    loop = asyncio.get_running_loop()
    kwargs = dict(
        hostname="localhost",
        ident="RightsDesk test SMTP sink",
        decode_data=False,
        enable_SMTPUTF8=True,
        data_size_limit=DATA_SIZE_LIMIT,
    )
    if args.tls_cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        kwargs.update(tls_context=tls, require_starttls=True, authenticator=authenticator,
                      auth_required=True, auth_require_tls=True)
    # The server is made here rather than with aiosmtpd's Controller, whose start-up probe cannot use port 0.
    server = await loop.create_server(lambda: SMTP(sink, loop=loop, **kwargs), host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    sys.stdout.write("READY %d\n" % port)
    sys.stdout.flush()
    await stop.wait()
    server.close()


def main(argv=None):
    logging.getLogger("mail.log").addFilter(_QuietDeprecation())
    args = parse_args(sys.argv[1:] if argv is None else argv)
    asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
