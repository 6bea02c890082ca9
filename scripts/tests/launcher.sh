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
        System.err.println("stderr " + String.join(" ", args));
        if (Boolean.getBoolean("canvasbatch.settingsCheckOnly") && java.util.Arrays.asList(args).contains("--port=99999")) {
            System.exit(2);
        }
        for (String arg : args) { // a server that runs a while (stopped by its time or a signal)
            if (arg.startsWith("--linger=") && !Boolean.getBoolean("canvasbatch.settingsCheckOnly")) {
                try { Thread.sleep(Long.parseLong(arg.substring(9))); } catch (InterruptedException e) { }
            }
        }
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
jdk25=0
[ "$(bash -c ". '$clone/scripts/jdk.sh' && sed -n 's/^JAVA_VERSION=\"\([0-9]*\).*/\1/p' \"\$JAVA_HOME/release\"")" -ge 25 ] \
  2>/dev/null && jdk25=1
# the AOT cache is made in the background after the training JVM has stopped, by a helper holding this lock
aot_made() { flock "$1/bootstrap/target/canvas-batch-serve-coh.aot.lock" true; }
if [ $jdk25 = 1 ]; then
  : > "$clone/bootstrap/target/canvas-batch-serve-coh.aot"
  out=$("$clone/canvas-batch" serve --port 0 2>&1)
  case "$out" in *AOTMode=record*) ;; *) fail "an empty AOT cache is used instead of trained again: $out";; esac
  aot_made "$clone"
  [ -s "$clone/bootstrap/target/canvas-batch-serve-coh.aot" ] || fail "a training serve left no AOT cache: $out"
  # a first serve refused for a wrong setting trains nothing: its cache would hold little more than the check
  rm -f "$clone/bootstrap/target/canvas-batch-serve-coh.aot"
  out=$("$clone/canvas-batch" serve --port=99999 2>&1); rc=$?
  [ "$rc" = 2 ] || fail "a serve refused for its settings exits $rc, not 2: $out"
  case "$out" in *AOTMode=record*|*AOTCache*) fail "a serve refused for its settings trains the AOT cache: $out";; esac
  [ ! -e "$clone/bootstrap/target/canvas-batch-serve-coh.aot" ] || fail "a serve refused for its settings left an AOT cache"
fi

# 4. scripts/jdk.sh takes the newest JDK by its version, not by its folder's name, and says which it passed over
jvms="$scratch/jvm folder"
fake_jdk() { # $1 = folder name, $2 = JAVA_VERSION
  mkdir -p "$jvms/$1/bin"
  printf '#!/bin/sh\nexit 1\n' > "$jvms/$1/bin/java"
  cp "$jvms/$1/bin/java" "$jvms/$1/bin/javac"
  chmod +x "$jvms/$1/bin/java" "$jvms/$1/bin/javac"
  echo "JAVA_VERSION=\"$2\"" > "$jvms/$1/release"
}
fake_jdk java-25-openjdk-amd64 25.0.1
fake_jdk temurin-21-jdk-amd64 21.0.5
fake_jdk java-17-openjdk-amd64 17.0.2
chosen=$(env -u JAVA_HOME CANVAS_BATCH_JVM_FOLDER="$jvms" bash -c '. "$1/scripts/jdk.sh" && echo "$JAVA_HOME"' _ "$repo" 2>&1)
[ "$chosen" = "$jvms/java-25-openjdk-amd64" ] || fail "jdk.sh chose '$chosen', not the newest JDK ($jvms/java-25-openjdk-amd64)"
rm -rf "$jvms/java-25-openjdk-amd64" "$jvms/temurin-21-jdk-amd64"
# the PATH's java is left out too: only what this test put in the JVM folder
said=$(env -u JAVA_HOME PATH=/usr/bin/nonexistent:/bin CANVAS_BATCH_JVM_FOLDER="$jvms" \
  /bin/bash -c '. "$1/scripts/jdk.sh"' _ "$repo" 2>&1); code=$?
[ $code = 2 ] || fail "jdk.sh with only a JDK 17 exited $code, not 2"
case "$said" in *"java-17-openjdk-amd64 is JDK 17: too old."*) ;; *) fail "jdk.sh does not say it passed over JDK 17: $said";; esac

# 5. no HOME (a service, `env -i`): the Maven wrapper needs one, and jdk.sh gives it the account's own
home_seen=$(env -u HOME bash -c '. "$1/scripts/jdk.sh" && echo "$HOME"' _ "$repo" 2>&1)
[ -n "$home_seen" ] && [ -d "$home_seen" ] || fail "with no HOME, jdk.sh left '$home_seen' for the Maven wrapper"

# 6. a build that fails says what the first build needs, once, in a sentence of its own
clone="$scratch/offline"
fresh_clone "$clone"
printf '#!/usr/bin/env bash\necho "[ERROR] Non-resolvable import POM: Temporary failure in name resolution" >&2\nexit 1\n' \
  > "$clone/mvnw"
out=$("$clone/canvas-batch" demo 2>&1); code=$?
[ $code = 1 ] || fail "a failed build exited $code, not 1"
case "$out" in *"needs the network"*) ;; *) fail "a failed build does not say the first one needs the network: $out";; esac

# 7. the call that builds shows what the program writes to stderr (its error messages, serve's log), as every later
#    call does: closing the lock must not send the rest of the launcher's stderr, and so the JVM's, to /dev/null
clone="$scratch/stderr"
fresh_clone "$clone"
said=$("$clone/canvas-batch" run a.canvas 2>&1 >/dev/null)
case "$said" in *"stderr run a.canvas"*) ;; *) fail "the call that built lost the program's stderr: '$said'";; esac
said=$("$clone/canvas-batch" run b.canvas 2>&1 >/dev/null)
case "$said" in *"stderr run b.canvas"*) ;; *) fail "a call after the build lost the program's stderr: '$said'";; esac

# 8. a machine without flock (macOS has none): the first call on a fresh clone builds and runs; two launchers at once,
#    with a Maven that survives building twice at once, both run (the second does not fail on the first's stamp)
clone="$scratch/no flock"
fresh_clone "$clone"
cat > "$clone/mvnw" <<'MVNW'
#!/usr/bin/env bash
set -e
echo build >> .fake-builds
mkdir -p "bootstrap/target/classes-$$"
javac -d "bootstrap/target/classes-$$" bootstrap/src/main/java/Fake.java
sleep 3
(cd "bootstrap/target/classes-$$" && jar --create --file "../canvas-batch.jar.$$" --main-class Fake .)
mv -f "bootstrap/target/canvas-batch.jar.$$" bootstrap/target/canvas-batch.jar
MVNW
nobin="$scratch/bin without flock"
mkdir -p "$nobin"
IFS=: read -ra path_dirs <<< "$PATH"
for dir in "${path_dirs[@]}"; do
  for tool in "$dir"/*; do
    name=${tool##*/}
    [ "$name" = flock ] || [ -e "$nobin/$name" ] || ln -s "$tool" "$nobin/$name" 2>/dev/null
  done
done
out=$(PATH="$nobin" "$clone/canvas-batch" run a.canvas 2>&1)
case "$out" in *"args run a.canvas"*) ;; *) fail "without flock, the first call on a fresh clone does not run: $out";; esac
rm -rf "$clone/bootstrap/target" "$clone/.fake-builds"
PATH="$nobin" "$clone/canvas-batch" run a.canvas > "$scratch/a.out" 2>&1 & a=$!
PATH="$nobin" "$clone/canvas-batch" run b.canvas > "$scratch/b.out" 2>&1 & b=$!
wait $a; ra=$?; wait $b; rb=$?
[ $ra = 0 ] && [ $rb = 0 ] || fail "without flock, two launchers at once: exit codes $ra and $rb: $(cat "$scratch/a.out" "$scratch/b.out")"

# 9. a C or POSIX locale (cron, a container, ssh without LANG): the JVM reads arguments and file names in the locale's
#    charset, ASCII there, so a Chinese canvas path reached Java as '?' and the run died with InvalidPathException
clone="$scratch/plain locale"
fresh_clone "$clone"
out=$(LANG=C LC_ALL=POSIX "$clone/canvas-batch" run "数学/线性代数.canvas" 2>&1)
case "$out" in *"args run 数学/线性代数.canvas"*) ;; *) fail "under LC_ALL=POSIX a Chinese canvas path is mangled: $out";; esac

# 10. JDK 25+: two serves started together after a build (two vaults, a quick restart) train the AOT cache once: both
#     shared the JVM's one configuration file, and one of them stopped with "Error occurred during initialization of
#     VM / Must be a valid AOT configuration". The other starts without the cache; a third start finds it made, whole
if [ $jdk25 = 1 ]; then
  clone="$scratch/two serves"
  fresh_clone "$clone"
  "$clone/canvas-batch" --version > /dev/null 2>&1
  aot="$clone/bootstrap/target/canvas-batch-serve-coh.aot"
  "$clone/canvas-batch" serve --port 18131 --linger=6000 > "$scratch/a.out" 2>&1 & a=$!
  sleep 1
  "$clone/canvas-batch" serve --port 18132 --linger=6000 > "$scratch/b.out" 2>&1 & b=$!
  wait $a; ra=$?; wait $b; rb=$?
  [ $ra = 0 ] && [ $rb = 0 ] || fail "two training serves: exit codes $ra and $rb: $(cat "$scratch/a.out" "$scratch/b.out")"
  if cat "$scratch/a.out" "$scratch/b.out" | grep -v "^jvm " \
      | grep -E "Error occurred|AOT configuration|AOTConfiguration|AOTCache|Picked up|child process" > /dev/null; then
    fail "two training serves: the JVM spoke: $(cat "$scratch/a.out" "$scratch/b.out")"
  fi
  trained=$(grep -l "AOTMode=record" "$scratch/a.out" "$scratch/b.out" | wc -l)
  [ "$trained" -eq 1 ] || fail "two serves at once: $trained of them trained the AOT cache, not one"
  # started at once after they stopped: it waits the few seconds the cache takes to make, and starts with it
  out=$("$clone/canvas-batch" serve --port 0 2>&1)
  case "$out" in *AOTCache="$aot"*) ;; *) fail "the start after two training serves has no AOT cache: $out";; esac
  "$(bash -c ". '$clone/scripts/jdk.sh' && echo \"\$JAVA_HOME\"")/bin/java" -XX:+UseCompactObjectHeaders -XX:AOTMode=on \
    -XX:AOTCache="$aot" -jar "$clone/bootstrap/target/canvas-batch.jar" > "$scratch/c.out" 2>&1 \
    || fail "the AOT cache made by two serves at once is refused by the JVM: $(cat "$scratch/c.out")"
  left=$(ls "$clone/bootstrap/target" | grep -E "\.aot\.(config|part)\.")
  [ -z "$left" ] || fail "two training serves left files behind: $left"
fi

# 11. JDK 25+: a training serve's stop (SIGTERM, as at Ctrl-C) prints nothing of the JVM's: the one-step cache
#     (-XX:AOTCacheOutput) wrote six lines there ("Temporary AOTConfiguration recorded", "Launching child process",
#     "Picked up JAVA_TOOL_OPTIONS: …", "AOTCache creation is complete" …) whatever -Xlog said; and a signal to the whole
#     process group (a closed terminal) stops the server, not the making of its cache
if [ $jdk25 = 1 ]; then
  clone="$scratch/quiet"
  fresh_clone "$clone"
  "$clone/canvas-batch" --version > /dev/null 2>&1
  aot="$clone/bootstrap/target/canvas-batch-serve-coh.aot"
  started() { # $1 = output file: waits until the server (not the launcher) runs
    for _ in $(seq 300); do grep -q "^args serve" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
  }
  "$clone/canvas-batch" serve --port 18133 --linger=60000 > "$scratch/q.out" 2> "$scratch/q.err" & q=$!
  started "$scratch/q.out" || fail "the training serve did not start: $(cat "$scratch/q.out" "$scratch/q.err")"
  kill -TERM $q; wait $q
  case "$(cat "$scratch/q.out")" in *AOTMode=record*) ;; *) fail "the quiet serve did not train: $(cat "$scratch/q.out")";; esac
  said=$(grep -v -e "^args serve" -e "^jvm " -e "^stderr serve" "$scratch/q.out" "$scratch/q.err")
  [ -z "$said" ] || fail "a training serve's stop printed the JVM's lines: $said"
  aot_made "$clone"
  [ -s "$aot" ] || fail "a training serve stopped by SIGTERM left no AOT cache: $(cat "$aot.log" 2>&1)"
  if command -v setsid > /dev/null 2>&1; then
    rm -f "$aot"
    setsid "$clone/canvas-batch" serve --port 18134 --linger=60000 > "$scratch/h.out" 2>&1 & h=$!
    started "$scratch/h.out" || fail "the serve in a group of its own did not start: $(cat "$scratch/h.out")"
    kill -HUP -- -$h; wait $h
    aot_made "$clone"
    [ -s "$aot" ] || fail "SIGHUP to a training serve's process group left no AOT cache: $(cat "$scratch/h.out")"
  fi
fi

[ $failures = 0 ] && echo "launcher tests: all passed"
exit $((failures > 0))
