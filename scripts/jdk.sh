# Sourced by ./canvas-batch, ./run-tests and .ci/run: finds a JDK >= 21 without asking anyone to set JAVA_HOME.
# Order: $JAVA_HOME if it is new enough, then the newest JDK under /usr/lib/jvm (by version), then `java` on the PATH.

canvas_batch_java_major() { # $1 = a java binary; prints its feature version (17, 21, 25 ...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1 | cut -d. -f1
}

canvas_batch_jdk_major() { # $1 = a JDK folder; its feature version from its release file, else from running its java
  local major
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -n1)
  [ -n "$major" ] || major=$(canvas_batch_java_major "$1/bin/java")
  echo "$major"
}

# Whether folder $1 is a JDK >= 21; sets canvas_batch_major to its version, and notes a JDK passed over as too old.
canvas_batch_passed_over=""
canvas_batch_usable() {
  canvas_batch_major=""
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 1
  canvas_batch_major=$(canvas_batch_jdk_major "$1")
  [ -n "$canvas_batch_major" ] && [ "$canvas_batch_major" -ge 21 ] 2>/dev/null && return 0
  canvas_batch_passed_over+="  $1 is JDK ${canvas_batch_major:-of an unknown version}: too old."$'\n'
  return 1
}

# Sets CANVAS_BATCH_JDK: $JAVA_HOME when it will do (the learner's own choice), else the newest JDK under the JVM folder
# by its version, not its folder's name (temurin-21 sorts after java-25-openjdk), else the java on the PATH.
canvas_batch_find_jdk() {
  local candidate best_major=0 chosen=${JAVA_HOME:-}
  CANVAS_BATCH_JDK=""
  chosen=${chosen%/}
  if canvas_batch_usable "$chosen"; then
    CANVAS_BATCH_JDK=$chosen
    return 0
  fi
  for candidate in "${CANVAS_BATCH_JVM_FOLDER:-/usr/lib/jvm}"/*/; do
    candidate=${candidate%/}
    [ -L "$candidate" ] && continue # Debian's default-java and java-1.x names point at one of the others
    if canvas_batch_usable "$candidate" && [ "$canvas_batch_major" -gt "$best_major" ]; then
      CANVAS_BATCH_JDK=$candidate
      best_major=$canvas_batch_major
    fi
  done
  [ -n "$CANVAS_BATCH_JDK" ] && return 0
  candidate=$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")
  if canvas_batch_usable "$candidate"; then
    CANVAS_BATCH_JDK=$candidate
    return 0
  fi
  return 1
}

if ! canvas_batch_find_jdk; then
  echo "canvas-batch needs a JDK 21 or newer (java and javac) and found none:" >&2
  echo "  looked at \$JAVA_HOME, ${CANVAS_BATCH_JVM_FOLDER:-/usr/lib/jvm}/* and the java on your PATH." >&2
  [ -z "$canvas_batch_passed_over" ] || printf '%s' "$canvas_batch_passed_over" >&2
  echo "  Install one, e.g. 'apt-get install openjdk-21-jdk' (Debian/Ubuntu) or Temurin 21+, or set JAVA_HOME to it." >&2
  exit 2
fi
export JAVA_HOME="$CANVAS_BATCH_JDK"
# Maven's own Guava touches sun.misc.Unsafe; JDK 24+ warns about it on every build, which is noise for our users
if [ "$(canvas_batch_java_major "$CANVAS_BATCH_JDK/bin/java")" -ge 24 ] 2>/dev/null; then
  case " ${MAVEN_OPTS:-} " in *sun-misc-unsafe*) ;; *) export MAVEN_OPTS="--sun-misc-unsafe-memory-access=allow ${MAVEN_OPTS:-}";; esac
fi
export PATH="$JAVA_HOME/bin:$PATH"

# Maven: the wrapper's pinned version (downloaded once from Maven Central into ~/.m2/wrapper), so a newcomer needs only
# a JDK and every build uses the Maven the project is tested with (Debian's 3.8.7 also writes ESC[0m into pipes).
CANVAS_BATCH_MVN="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/mvnw"
# the wrapper keeps Maven under $HOME/.m2 and stops with "HOME: parameter not set" without it (a service, `env -i`):
# the account's own home, as Maven itself takes it
if [ -z "${HOME:-}" ]; then
  HOME=$(getent passwd "$(id -u)" 2>/dev/null | cut -d: -f6)
  export HOME="${HOME:-/tmp}"
fi
export MAVEN_ARGS="${MAVEN_ARGS:-} -Dstyle.color=never"
