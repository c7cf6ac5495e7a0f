#!/bin/sh
# Host process for MyServiceType in the hosting-model walk-through: a guest executable hosts no runtime,
# so it only has to stay up. It logs who it is once, and its config at start and on SIGHUP (a config-only
# upgrade), then waits until it is told to stop (SIGTERM).
echo "host.sh: started, pid $$"
env | grep '^CAPSTAN_' | sort | sed 's/^/host.sh: /'
show_config() { echo "host.sh: config: $(cat "$CAPSTAN_CONFIG_SETTINGS_DIR/host.conf")"; }
show_config

child=
stop() {
    echo "host.sh: received $1, exiting"
    [ -n "$child" ] && kill "$child" 2>/dev/null
    exit 0
}
trap 'stop SIGTERM' TERM
trap 'stop SIGINT' INT
trap 'show_config' HUP

while :; do
    sleep 3600 &
    child=$!
    wait "$child"
done
