# Sourced by Ferry's scripts: finds a JDK >= 25 and exports JAVA_HOME, JAVA and PATH for it.
# Order: $JAVA_HOME if it is 25 or newer, else the newest JDK >= 25 under /usr/lib/jvm.
# From the JDK's release file where it has one: starting a JVM only to ask its version cost every
# launch 60-300 ms (more under load) before the JVM that does the work started.
ferry_java_major() {
    if [ -f "$1/release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" | head -n1
    else
        "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n1
    fi
}
ferry_find_jdk() {
    local candidate major
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
        major=$(ferry_java_major "$JAVA_HOME")
        if [ "${major:-0}" -ge 25 ] 2>/dev/null; then echo "$JAVA_HOME"; return 0; fi
    fi
    for candidate in $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV); do
        candidate=${candidate%/}
        [ -x "$candidate/bin/javac" ] || continue
        major=$(ferry_java_major "$candidate")
        if [ "${major:-0}" -ge 25 ] 2>/dev/null; then echo "$candidate"; return 0; fi
    done
    return 1
}
if ! FERRY_JDK=$(ferry_find_jdk); then
    echo "ferry: no JDK 25 or newer found (JAVA_HOME=${JAVA_HOME:-unset}; looked under /usr/lib/jvm)." >&2
    echo "ferry: install one (e.g. Temurin 25) or point JAVA_HOME at it." >&2
    exit 1
fi
export JAVA_HOME="$FERRY_JDK"
export PATH="$JAVA_HOME/bin:$PATH"
JAVA="$JAVA_HOME/bin/java"
if ! command -v mvn >/dev/null 2>&1; then
    echo "ferry: Maven (mvn) is not on PATH; install it (Debian: apt-get install maven)." >&2
    exit 1
fi
