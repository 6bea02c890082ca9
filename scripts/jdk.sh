# Sourced by ./canvas-batch, ./run-tests and .ci/run: finds a JDK >= 21 without asking anyone to set JAVA_HOME.
# Order: $JAVA_HOME if it is new enough, then the newest /usr/lib/jvm/* that is, then `java` on the PATH.

canvas_batch_java_major() { # $1 = a java binary; prints its feature version (17, 21, 25 ...)
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n1 | cut -d. -f1
}

canvas_batch_find_jdk() {
  local candidate major
  for candidate in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -rV) \
                   "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")"; do
    candidate=${candidate%/}
    [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] && [ -x "$candidate/bin/javac" ] || continue
    major=$(canvas_batch_java_major "$candidate/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ] 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  return 1
}

if ! CANVAS_BATCH_JDK=$(canvas_batch_find_jdk); then
  echo "canvas-batch needs a JDK 21 or newer (java and javac) and found none:" >&2
  echo "  looked at \$JAVA_HOME, /usr/lib/jvm/* and the java on your PATH." >&2
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
export MAVEN_ARGS="${MAVEN_ARGS:-} -Dstyle.color=never"
