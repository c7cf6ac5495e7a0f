#!/usr/bin/env python3
"""CounterService of the Hello example (stateful, 3 replicas, one process per replica).

POST /increment -> {"count": n} after adding one
GET  /count     -> {"count": n}
GET  /healthz   -> {"status": "ok", "count": n}

State: kept in memory and written to a small JSON file in the working directory after every change, so a
restarted process picks up where it left off. There is NO replication between the replicas yet: each keeps
its own count, and the frontend always calls the Primary, so the Primary's count is the one users see; after
a failover the new Primary continues from its own file. Real replication is a later issue.
Python 3 standard library only.
"""
import json
import os
import signal
import sys
import threading
import urllib.parse
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def log(message):
    stamp = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
    print(f"{stamp} counter {message}", flush=True)


def safe(text):
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


class Counter:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.count = 0
        try:
            with open(path, encoding="utf-8") as f:
                self.count = int(json.load(f)["count"])
            log(f"loaded count {self.count} from {path}")
        except FileNotFoundError:
            log(f"no state file yet at {path}; starting from 0")
        except (OSError, ValueError, KeyError, TypeError) as e:
            log(f"cannot read {path} ({e}); starting from 0")

    def increment(self):
        with self.lock:
            self.count += 1
            self.save()
            return self.count

    def value(self):
        with self.lock:
            return self.count

    def save(self):
        tmp = self.path + ".tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"count": self.count}, f)
            os.replace(tmp, self.path)
        except OSError as e:
            log(f"cannot save state to {self.path}: {e} (the count stays in memory)")


class Handler(BaseHTTPRequestHandler):
    counter = None
    server_version = "HelloCounter/1.0"

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        if path == "/count":
            self.reply(200, {"count": self.counter.value()})
        elif path == "/healthz":
            self.reply(200, {"status": "ok", "count": self.counter.value()})
        else:
            self.reply(404, {"error": "not found; use POST /increment, GET /count or GET /healthz"})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if urllib.parse.urlsplit(self.path).path == "/increment":
            self.reply(200, {"count": self.counter.increment()})
        else:
            self.reply(404, {"error": "not found; use POST /increment"})

    def reply(self, status, payload):
        body = (json.dumps(payload) + "\n").encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        log(f"{self.client_address[0]} {fmt % args}")


def main():
    port = os.environ.get("CAPSTAN_ENDPOINT_API_PORT") or (sys.argv[1] if len(sys.argv) > 1 else None)
    if not port:
        sys.exit("counter: no port: set CAPSTAN_ENDPOINT_API_PORT (Capstan does) or pass it as the first argument")
    app = os.environ.get("CAPSTAN_APPLICATION_NAME", "local")
    node = os.environ.get("CAPSTAN_NODE_NAME", "local")
    Handler.counter = Counter(os.path.join(os.getcwd(), f"counter-{safe(app)}-{safe(node)}.json"))
    server = ThreadingHTTPServer(("127.0.0.1", int(port)), Handler)
    server.daemon_threads = True

    def stop(signum, _frame):
        log(f"received {signal.Signals(signum).name}, shutting down")
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log(f"listening on 127.0.0.1:{port} (node {node}, application {app}, "
        f"activation {os.environ.get('CAPSTAN_SERVICE_PACKAGE_ACTIVATION_ID', '?')!r})")
    server.serve_forever()
    server.server_close()
    log("stopped")


if __name__ == "__main__":
    main()
