#!/bin/sh
# Stays up until told to stop; SIGTERM ends it at once.
trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
while :; do
    sleep 3600 &
    child=$!
    wait "$child"
done
