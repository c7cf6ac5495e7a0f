#!/usr/bin/env bash
# Prints the home of a JDK >= 21: $CAPSTAN_JAVA_HOME, $JAVA_HOME, `java` on PATH, then /usr/lib/jvm/*.
# Exits 1 with a hint when there is none.
set -u
java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
}
candidates=("${CAPSTAN_JAVA_HOME:-}" "${JAVA_HOME:-}")
if command -v java >/dev/null 2>&1; then
  candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi
for d in /usr/lib/jvm/*; do candidates+=("$d"); done
for home in "${candidates[@]}"; do
  [ -n "$home" ] && [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
  major=$(java_major "$home")
  if [ -n "$major" ] && [ "$major" -ge 21 ]; then
    echo "$home"
    exit 0
  fi
done
echo "capstan: no JDK 21 or newer found (looked at \$CAPSTAN_JAVA_HOME, \$JAVA_HOME, java on PATH, /usr/lib/jvm/*)." >&2
echo "capstan: install one (e.g. a Temurin 21+ JDK) or point CAPSTAN_JAVA_HOME at it." >&2
exit 1
