#!/bin/sh
# Fails at once, the way a service with a broken configuration does.
echo "crash.sh: starting" 
echo "crash.sh: cannot open /etc/ledger.conf: no such file" >&2
exit 3
