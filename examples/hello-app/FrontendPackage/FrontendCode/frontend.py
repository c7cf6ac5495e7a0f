#!/usr/bin/env python3
"""FrontendService of the Hello example (stateless, one instance on every node).

GET /         -> the greeting plus a visit number, counted by CounterService (503 if it is unreachable)
GET /healthz  -> ok

It finds the counter through the Capstan REST API,
GET $CAPSTAN_API/v1/apps/$CAPSTAN_APPLICATION_NAME/services/CounterService/endpoints,
and calls the replica whose role is Primary. Python 3 standard library only.
"""
import argparse
import json
import os
import signal
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COUNTER_SERVICE = "CounterService"
COUNTER_ENDPOINT = "api"
TIMEOUT_SECONDS = 2.0


def log(message):
    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    print(f"{stamp} frontend {message}", flush=True)


class CounterUnavailable(Exception):
    pass


def counter_primary_address():
    """The host:port of CounterService's Primary, asked of the Capstan API."""
    api = os.environ.get("CAPSTAN_API")
    app = os.environ.get("CAPSTAN_APPLICATION_NAME")
    if not api or not app:
        raise CounterUnavailable("CAPSTAN_API and CAPSTAN_APPLICATION_NAME are not set; run me under Capstan")
    url = "{}/v1/apps/{}/services/{}/endpoints".format(
        api.rstrip("/"), urllib.parse.quote(app, safe=""), COUNTER_SERVICE)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            data = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise CounterUnavailable(f"cannot resolve {COUNTER_SERVICE} at {url}: {e}") from e
    endpoints = [e for e in data.get("items") or []
                 if e.get("address") and e.get("endpoint", COUNTER_ENDPOINT) == COUNTER_ENDPOINT]
    primaries = [e for e in endpoints if e.get("role") == "Primary"]
    if not primaries:
        raise CounterUnavailable(
            f"{COUNTER_SERVICE} has no Primary with an '{COUNTER_ENDPOINT}' endpoint yet "
            f"({len(endpoints)} endpoint(s) known); try again in a moment")
    return primaries[0]["address"]


def increment_counter():
    """(count, address) after one POST /increment on the Primary."""
    address = counter_primary_address()
    base = address if address.startswith(("http://", "https://")) else "http://" + address
    request = urllib.request.Request(base + "/increment", data=b"", method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return json.load(response)["count"], address
    except (urllib.error.URLError, OSError, ValueError, KeyError) as e:
        raise CounterUnavailable(f"{COUNTER_SERVICE} at {address} did not answer: {e}") from e


class Handler(BaseHTTPRequestHandler):
    greeting = "Hello"
    server_version = "HelloFrontend/1.0"

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/healthz":
            self.reply(200, "ok\n")
        elif path == "/":
            node = os.environ.get("CAPSTAN_NODE_NAME", "?")
            try:
                count, address = increment_counter()
                self.reply(200, f"{self.greeting}! You are visitor number {count} "
                                f"(served by node {node}, counted by {COUNTER_SERVICE} at {address}).\n")
            except CounterUnavailable as e:
                self.reply(503, f"{self.greeting}! I cannot count visits right now: {e}\n")
        else:
            self.reply(404, "not found; try GET /\n")

    def reply(self, status, text):
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        log(f"{self.client_address[0]} {fmt % args}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--greeting", default="Hello")
    parser.add_argument("--port", type=int, default=None, help="when not run by Capstan")
    args = parser.parse_args()
    port = os.environ.get("CAPSTAN_ENDPOINT_WEB_PORT") or args.port
    if not port:
        sys.exit("frontend: no port: set CAPSTAN_ENDPOINT_WEB_PORT (Capstan does) or pass --port")
    Handler.greeting = args.greeting
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.daemon_threads = True

    def stop(signum, _frame):
        log(f"received {signal.Signals(signum).name}, shutting down")
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log(f"listening on 127.0.0.1:{port} (node {os.environ.get('CAPSTAN_NODE_NAME', '?')}, "
        f"application {os.environ.get('CAPSTAN_APPLICATION_NAME', '?')})")
    server.serve_forever()
    server.server_close()
    log("stopped")


if __name__ == "__main__":
    main()
