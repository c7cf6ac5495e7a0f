# Watches $CAPSTAN_REPLICAS_FILE every 20 ms and appends one line per replica to the log named by argv[1] whenever
# what the file says changes: "<epoch ms> <node> <pid> <service> <replica id> <role> fenced|assigned".
import json
import os
import sys
import time

replicas_file = os.environ["CAPSTAN_REPLICAS_FILE"]
node = os.environ["CAPSTAN_NODE_NAME"]
last = None
while True:
    try:
        with open(replicas_file) as f:
            replicas = json.load(f)
    except (OSError, ValueError):
        replicas = None
    if replicas is not None:
        seen = [(r["service"], r["replicaId"], r.get("role"), "fenced" if r.get("fenced") else "assigned") for r in replicas]
        if seen != last:
            now = int(time.time() * 1000)
            with open(sys.argv[1], "a") as log:
                log.write("".join(f"{now} {node} {os.getpid()} {s} {rid} {role} {how}\n" for s, rid, role, how in seen))
            last = seen
    time.sleep(0.02)
