#!/usr/bin/env bash
# Tests of ./canvas-batch itself (not of the Java code): the launcher copied beside scripts/jdk.sh into a scratch
# repository whose ./mvnw is a fake that "builds" a two-line jar in a few seconds and notes every build it runs.
# Usage: scripts/tests/launcher.sh   (exit 0: all passed)
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/canvas-batch launcher test 中文 XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

fresh_clone() { # $1 = folder: the launcher, jdk.sh, a fake mvnw and one "source"
  mkdir -p "$1/scripts" "$1/bootstrap/src/main/java"
  cp "$repo/canvas-batch" "$1/"
  cp "$repo/scripts/jdk.sh" "$1/scripts/"
  cat > "$1/bootstrap/src/main/java/Fake.java" <<'JAVA'
public class Fake {
    public static void main(String[] args) {
        System.out.println("args " + String.join(" ", args));
        System.out.println("jvm " + String.join(" ", java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()));
    }
}
JAVA
  cat > "$1/mvnw" <<'MVNW'
#!/usr/bin/env bash
# a fake Maven: fails when another build of this clone is running, as two real ones clobber each other's target/
set -e
if ! mkdir .fake-build-running 2>/dev/null; then echo "fake mvnw: another build is running in this clone" >&2; exit 1; fi
echo build >> .fake-builds
mkdir -p bootstrap/target/classes
javac -d bootstrap/target/classes bootstrap/src/main/java/Fake.java
sleep 3
(cd bootstrap/target/classes && jar --create --file ../canvas-batch.jar --main-class Fake .)
rmdir .fake-build-running
MVNW
  chmod +x "$1/mvnw" "$1/canvas-batch"
}

# 1. two launcher calls at once on a fresh clone: one build, both run
clone="$scratch/race"
fresh_clone "$clone"
"$clone/canvas-batch" run a.canvas > "$scratch/a.out" 2>&1 & a=$!
"$clone/canvas-batch" serve --port 0 > "$scratch/b.out" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
[ $ra = 0 ] && [ $rb = 0 ] || fail "two launchers at once: exit codes $ra and $rb: $(cat "$scratch/a.out" "$scratch/b.out")"
builds=$(wc -l < "$clone/.fake-builds" 2>/dev/null || echo 0)
[ "$builds" = 1 ] || fail "two launchers at once built $builds times, expected once"

# 2. --help, -h or --version as the first call after a build must not make the class-data archive: it would hold only
#    the classes of printing help, and AutoCreateSharedArchive keeps a valid archive, so run and demo would never get one
clone="$scratch/help first"
fresh_clone "$clone"
for args in "--help" "run --help" "serve -h" "--version"; do
  rm -f "$clone"/bootstrap/target/*.jsa "$clone"/bootstrap/target/*.aot
  # shellcheck disable=SC2086
  out=$("$clone/canvas-batch" $args 2>&1)
  case "$out" in *SharedArchiveFile*|*AOTCache*) fail "'canvas-batch $args' trains the startup archive: $out";; esac
done

# 3. JDK 25+: an AOT cache left empty (the training serve killed while the JVM wrote it) is trained again, not
#    handed to the JVM, which would skip it without a word at every start until the next build
if [ "$(bash -c ". '$clone/scripts/jdk.sh' && sed -n 's/^JAVA_VERSION=\"\([0-9]*\).*/\1/p' \"\$JAVA_HOME/release\"")" -ge 25 ] 2>/dev/null; then
  : > "$clone/bootstrap/target/canvas-batch-serve-coh.aot"
  out=$("$clone/canvas-batch" serve --port 0 2>&1)
  case "$out" in *AOTCacheOutput=*) ;; *) fail "an empty AOT cache is used instead of trained again: $out";; esac
fi

[ $failures = 0 ] && echo "launcher tests: all passed"
exit $((failures > 0))
