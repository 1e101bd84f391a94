#!/usr/bin/env bash
# Runs the whole benchmark suite (8 to 13 minutes on the 2-core build machine, and about 12 more for
# section 12) and prints the tables that go into BENCHMARKS.md. Each figure is measured in this one run.
#
#   connector-benchmarks/run.sh                     # everything, every connector
#   CONNECTORS="iterable" SIZES="10000 100000" connector-benchmarks/run.sh
#   SKIP_JMH=1 connector-benchmarks/run.sh          # only the end-to-end benchmarks
#   STATE_MEMBERS=200000 ...                        # a smaller sync-state benchmark (section 7)
#   MIRROR_ONLY=1 connector-benchmarks/run.sh       # only mirror mode's removals (section 10)
#   MIRROR_REMOVALS=1000 ...                        # fewer removals in section 10 (10,000 by default)
#   RACE_ONLY=1 connector-benchmarks/run.sh         # only the race against the official clients (section 11)
#   SKIP_RACE=1 connector-benchmarks/run.sh         # everything but the race
#   MANY_ONLY=1 connector-benchmarks/run.sh         # only section 12, many exports in one JVM
#   MANY_ONLY=1 MANY_EXPORTS="10 100" CONNECTORS=dotdigital connector-benchmarks/run.sh
#   MANY_JAVA_OPTS="-DmaxRunningExports=16 -Dsegmentexport.engineThreads=32" MANY_ONLY=1 ...
#   KAFKA_ONLY=1 connector-benchmarks/run.sh        # only section 13, the Kafka Connect sink
#   KAFKA_PROFILES=1000000 KAFKA_ROUNDS=3 ...       # its size and rounds (200,000 and 3 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
# Section 13, the Kafka Connect sink (issue 25): a real broker and Connect workers in one JVM, records
# already in the topic, into the Iterable simulator with limits off, 1 and 2 tasks, each divided by the
# SDK's direct export of the same profiles in the same run (SinkBenchmark, in that module's tests).
kafka_section() {
  echo
  echo "## 13. Kafka Connect: profiles/s through the sink ÷ the SDK's direct export (Iterable simulator, limits off)"
  echo
  mvn -B -q -pl connector-kafka-connect -am test-compile -DskipTests
  mvn -B -q -pl connector-kafka-connect exec:java -Dexec.classpathScope=test \
    -Dexec.mainClass=com.segmentexport.kafka.SinkBenchmark \
    -Dprofiles="${KAFKA_PROFILES:-200000}" -Drounds="${KAFKA_ROUNDS:-3}" -DthreadCpu=true 2>&1 \
    | grep -v '^\[' || echo "(the sink benchmark failed)"
}
if [ -n "${KAFKA_ONLY:-}" ]; then
  kafka_section
  exit 0
fi
if [ -n "${RACE_ONLY:-}" ]; then
  exec connector-benchmarks/race/race.sh
fi
CONNECTORS=${CONNECTORS:-autopilot campaignmonitor dotdigital iterable}
SIZES=${SIZES:-10000 100000 1000000}
PROFILES=${PROFILES:-1000000}
OUT=connector-benchmarks/target/results
mkdir -p "$OUT"
mvn -B -q -pl connector-benchmarks -am package -DskipTests
JAR=connector-benchmarks/target/benchmarks.jar
E2E="java -Xmx1g -cp $JAR com.segmentexport.benchmarks.EndToEndBenchmark"
# The overhead modes hold 1,000,000 generated profiles and the captured requests (about 700 MiB) for
# both of their runs. In a 1 GiB heap G1 would mark concurrently all the time, and without pre-touching
# the first use of each heap page would be charged to whichever run allocates more (the SDK's): both
# would measure the harness, not the SDK.
# At least five alternating SDK and raw rounds each, and enough for about 8 s of SDK time in all (so
# 12 or so for Autopilot's short export): single rounds on this machine range over +-30%.
ROUNDS=${ROUNDS:-5}
MIN_SECONDS=${MIN_SECONDS:-8}
OVERHEAD="java -Xms3g -Xmx3g -XX:+AlwaysPreTouch -Drounds=$ROUNDS -DminSeconds=$MIN_SECONDS -cp $JAR com.segmentexport.benchmarks.EndToEndBenchmark"

# key=value pairs of a RESULT line, as awk variables.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<< "$1"; }

# Section 12 (issue 28), also run alone with MANY_ONLY=1: N exports at once in one -Xmx512m JVM, each
# of 1,000 generated profiles on its own connection and list, against the simulator in another JVM
# (limits off); against one export of N x 1,000 (Autopilot: its 100,000 limit) in the same JVM.
MANY_EXPORTS=${MANY_EXPORTS:-10 100 1000}
# Sources that may block (each export has a thread of its own) and sources that never block (exports
# run in steps on the shared threads): MANY_SOURCES="nonBlocking" runs only the latter.
MANY_SOURCES=${MANY_SOURCES:-blocking nonBlocking}
many_exports_section() {
  local c n r out src
  echo
  echo "## 12. Many exports in one JVM: N exports of 1,000 profiles at once, -Xmx512m, simulator limits off in another JVM"
  echo
  echo "Goals: peak threads ≤ 64 + N (sources that may block), ≤ 64 + 16 (sources that never block); every export completes in -Xmx512m; aggregate ÷ one export of the same"
  echo "profiles ≥ 0.8. Checked: each export SUCCEEDED with 1,000 exported and its list at the simulator holding"
  echo "1,000. Thread counts are the JVM's (ThreadMXBean), the benchmark's own ~20 included (before); \"after\""
echo "is 10 s after the last export ended and the exporters were closed. The simulator keeps every contact to"
echo "count the lists: its CPU and GC seconds say whether it kept up.${MANY_JAVA_OPTS:+ JVM options: $MANY_JAVA_OPTS.}"
  echo
  echo "| connector | sources | exports | succeeded | checked | seconds | profiles/s | one export: profiles, profiles/s | **aggregate ÷ one** (≥ 0.8) | **peak threads** (≤ 64 + N; non-blocking ≤ 80) | threads before / after | at the peak | peak live heap MiB | GC s | export s, median / max | simulator CPU s / GC s |"
  echo "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
  for c in $CONNECTORS; do
    for src in $MANY_SOURCES; do
    for n in $MANY_EXPORTS; do
      out="$OUT/many-$c-$src-$n"
      java -Xmx512m -XX:+UseSerialGC -DnonBlocking=$([ "$src" = nonBlocking ] && echo true || echo false) \
          ${MANY_JAVA_OPTS:-} -cp "$JAR" com.segmentexport.benchmarks.ManyExportsBenchmark "$c" "$n" \
          > "$out.out" 2> "$out.log" || true
      r=$(grep '^RESULT' "$out.out") || {
        echo "| $c | $src | $n | failed: $(grep -m1 -o 'OutOfMemoryError[^)]*\|unable to create native thread' "$out.log" || echo "see $out.log") |"
        continue
      }
      printf '| %s | %s | %s | %s | %s | %s | %s | %s, %s | %s %s | %s %s | %s / %s | %s | %s | %s | %s | %s / %s |\n' "$c" "$src" "$n" \
        "$(field "$r" succeeded)" \
        "$([ "$(field "$r" checked)" = true ] && echo yes || echo "no: $(field "$r" firstProblem)")" \
        "$(field "$r" seconds)" "$(field "$r" perSecond)" "$(field "$r" oneProfiles)" "$(field "$r" onePerSecond)" \
        "$(field "$r" ratio)" "$([ "$(field "$r" ratioGoal)" = true ] && echo ✓ || echo ✗)" \
        "$(field "$r" peakThreads)" "$([ "$(field "$r" threadsOk)" = true ] && echo ✓ || echo ✗)" \
        "$(field "$r" threadsBefore)" "$(field "$r" threadsAfter)" "$(field "$r" peakThreadsBy | sed 's/,/, /g')" \
        "$(field "$r" peakLiveMiB)" "$(field "$r" gcSeconds)" "$(field "$r" exportSeconds | sed 's|/| / |')" \
        "$(field "$r" simulatorCpuSeconds)" "$(field "$r" simulatorGcSeconds)"
    done
    done
  done
}

echo "# Segment Export SDK benchmarks, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1)"

if [ -n "${MANY_ONLY:-}" ]; then
  many_exports_section
  exit 0
fi

# Section 10, a function so that MIRROR_ONLY can run it alone.
mirror_section() {
  local removals=${MIRROR_REMOVALS:-10000} c r
  echo
  echo "## 10. Mirror mode: $removals members removed from each simulator's list at the vendor's limit for the call"
  echo
  echo "Run 1 puts $((2 * removals)) members on the list (limits off, an SQLite state); run 2 mirrors the segment"
  echo "without $removals of them (a removal limit that allows it) at the simulator's rate. Seconds from the"
  echo "segment's start to the last removal answered; ceiling = requests/s × members one call removes (Iterable"
  echo "1,000; dotdigital 1,000 ids and a status read: 500; Autopilot 1; Campaign Monitor a read and a DELETE: ½)."
  echo
  echo "| connector | removed | seconds | removals/s | ceiling removals/s | ratio | HTTP calls | 429s | requests/s (scale) |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  for c in $CONNECTORS; do
    r=$(java -Xmx1g -cp "$JAR" com.segmentexport.benchmarks.MirrorBenchmark "$c" "$removals" \
        2>"$OUT/mirror-$c.log" | grep '^RESULT') \
      || { echo "| $c | failed: see $OUT/mirror-$c.log |"; continue; }
    printf '| %s | %s | %s | %s | %s | **%s** | %s | %s | %s (×%s) |\n' "$c" "$(field "$r" removed)" \
      "$(field "$r" seconds)" "$(field "$r" removalsPerSecond)" "$(field "$r" ceiling)" "$(field "$r" ratio)" \
      "$(field "$r" httpCalls)" "$(field "$r" throttled429)" "$(field "$r" rate)" "$(field "$r" scale)"
  done
}

if [ -n "${MIRROR_ONLY:-}" ]; then
  mirror_section
  exit 0
fi

if [ -z "${SKIP_JMH:-}" ]; then
  echo
  echo "## 1. Engine CPU cost (JMH, one thread, 2,000 profiles per operation batch)"
  java -jar "$JAR" EngineCpuBenchmark -p connector="$(tr ' ' ',' <<< "$CONNECTORS")" -prof gc \
      -rf csv -rff "$OUT/jmh.csv" > "$OUT/jmh.log" 2>&1
  echo
  echo "| connector | profiles/s (one core) | ± | ÷ 200,000 target | bytes allocated per profile |"
  echo "|---|---:|---:|---:|---:|"
  awk -F, 'NR > 1 {
      gsub(/["\r]/, "");
      if ($1 ~ /exportProfiles$/) { s[$NF] = $5; e[$NF] = $6 }
      if ($1 ~ /gc.alloc.rate.norm$/) { a[$NF] = $5 }
    }
    END { for (c in s) printf "| %s | %.0f | %.0f | %.2f | %.0f |\n", c, s[c], e[c], s[c] / 200000, a[c] }' \
    "$OUT/jmh.csv" | sort
fi

echo
echo "## 2. Ceiling ratio: $PROFILES generated profiles into each simulator at the vendor's limits"
echo
echo "| connector | exported | seconds | achieved profiles/s | ceiling profiles/s | ratio | HTTP calls | 429s | limit scale |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONNECTORS; do
  r=$($E2E ceiling "$c" "$PROFILES" 2>"$OUT/ceiling-$c.log" | grep '^RESULT') \
    || { echo "| $c | failed: see $OUT/ceiling-$c.log |"; continue; }
  printf '| %s | %s | %s | %s | %s | **%s** | %s | %s | ×%s |\n' "$c" "$(field "$r" exported)" \
    "$(field "$r" seconds)" "$(field "$r" achieved)" "$(field "$r" ceiling)" "$(field "$r" ratio)" \
    "$(field "$r" httpCalls)" "$(field "$r" throttled429)" "$(field "$r" scale)"
done
# Autopilot takes at most 100,000 profiles per export: the run above reads and counts the other
# 900,000 as not attempted (about a second of reading at the end); this row is one export of its limit.
if [[ " $CONNECTORS " == *" autopilot "* ]] && [ "$PROFILES" -gt 100000 ]; then
  r=$($E2E ceiling autopilot 100000 2>"$OUT/ceiling-autopilot-100000.log" | grep '^RESULT') \
    && printf '| autopilot (100000, its per-export limit) | %s | %s | %s | %s | **%s** | %s | %s | ×%s |\n' \
      "$(field "$r" exported)" "$(field "$r" seconds)" "$(field "$r" achieved)" "$(field "$r" ceiling)" \
      "$(field "$r" ratio)" "$(field "$r" httpCalls)" "$(field "$r" throttled429)" "$(field "$r" scale)" \
    || echo "| autopilot (100000) | failed: see $OUT/ceiling-autopilot-100000.log |"
  # No vendor documents how long its answers take. With each upsert answered 30 ms late (300 ms at the
  # real 5 requests/s, longer than the 200 ms between requests), the default 4 upserts at once against 1.
  for u in 4 1; do
    r=$(java -Xmx1g -DlatencyMillis=30 -Dsettings=maxConcurrentUpserts=$u -cp "$JAR" \
        com.segmentexport.benchmarks.EndToEndBenchmark ceiling autopilot 100000 \
        2>"$OUT/ceiling-autopilot-latency-$u.log" | grep '^RESULT') \
      && printf '| autopilot (100000, answers 30 ms late, %s upsert(s) at once) | %s | %s | %s | %s | **%s** | %s | %s | ×%s |\n' \
        "$u" "$(field "$r" exported)" "$(field "$r" seconds)" "$(field "$r" achieved)" "$(field "$r" ceiling)" \
        "$(field "$r" ratio)" "$(field "$r" httpCalls)" "$(field "$r" throttled429)" "$(field "$r" scale)" \
      || echo "| autopilot (answers 30 ms late, $u at once) | failed: see $OUT/ceiling-autopilot-latency-$u.log |"
  done
fi

# overhead_table MODE COMMAND...: one row per connector of "COMMAND MODE CONNECTOR PROFILES".
overhead_table() {
  local mode=$1 c r
  shift
  echo
  echo "| connector | exported | requests | concurrency | SDK profiles/s | raw profiles/s | SDK ÷ raw (median round) | each round | CPU s, SDK run | CPU s, raw run | µs from request written to answer read, SDK / raw | share of the run with no request in flight, SDK / raw |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|"
  for c in $CONNECTORS; do
    r=$("$@" "$mode" "$c" "$PROFILES" 2>"$OUT/$mode-$c.log" | grep '^RESULT') \
      || { echo "| $c | failed: see $OUT/$mode-$c.log |"; continue; }
    printf '| %s | %s | %s | %s | %s | %s | **%s** | %s | %s | %s | %s / %s | %s / %s |\n' "$c" \
      "$(field "$r" exported)" "$(field "$r" requests)" "$(field "$r" concurrency)" "$(field "$r" sdkPerSecond)" \
      "$(field "$r" rawPerSecond)" "$(field "$r" ratio)" "$(field "$r" roundRatios | sed 's/,/, /g')" \
      "$(field "$r" sdkCpuSeconds)" "$(field "$r" rawCpuSeconds)" "$(field "$r" sdkAnswerMicros)" \
      "$(field "$r" rawAnswerMicros)" "$(field "$r" sdkIdleShare)" "$(field "$r" rawIdleShare)"
  done
}

echo
echo "## 3. Overhead against a raw OkHttp loop ($PROFILES profiles, simulator limits off)"
overhead_table overhead $OVERHEAD

echo
echo "## 3b. Overhead with the SDK and the simulator on separate cores"
echo
if command -v taskset > /dev/null; then
  echo "As table 3, with the simulator in its own JVM pinned to CPU 1 and the SDK and the raw loop on CPU 0."
  overhead_table overhead-isolated taskset -c 0 $OVERHEAD
else
  echo "taskset is missing: both JVMs run unpinned, so the cores are still shared (RESULT pinned=false)."
  overhead_table overhead-isolated $OVERHEAD
fi

echo
echo "## 4 and 5. Memory and scaling: one export per size in a JVM with -Xmx64m (limits off)"
echo
echo "| connector | profiles | exported | not attempted | seconds | µs per profile | peak live heap after GC (MiB) | peak heap (MiB) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONNECTORS; do
  for n in $SIZES; do
    r=$(java -Xmx64m -XX:+UseSerialGC -cp "$JAR" com.segmentexport.benchmarks.EndToEndBenchmark memory "$c" "$n" \
        2>"$OUT/memory-$c-$n.log" | grep '^RESULT') || { echo "| $c | $n | failed: see $OUT/memory-$c-$n.log |"; continue; }
    s=$(field "$r" seconds)
    printf '| %s | %s | %s | %s | %s | %.1f | %s | %s |\n' "$c" "$n" "$(field "$r" exported)" \
      "$(field "$r" notAttempted)" "$s" "$(awk -v s="$s" -v n="$n" 'BEGIN { print s * 1e6 / n }')" \
      "$(field "$r" peakLiveMiB)" "$(field "$r" peakHeapMiB)"
  done
done

echo
echo "## 6. Slow paths: 20,000 profiles, 1% of them taking the connector's slow path, at the vendor's rate"
echo
echo "Autopilot: 1% exist in the account but are not on the list (the upsert does not add them); Iterable: 1%"
echo "hold a value whose type clashes with the project's type for its field. Seconds at the simulated rate"
echo "(Autopilot scaled ×10 from its documented 5 requests/s: the last column scales back)."
echo
echo "| connector | profiles | triggering | exported | rejected | HTTP calls | calls per profile | seconds | requests/s | seconds at the vendor's rate |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONNECTORS; do
  case $c in autopilot|iterable) ;; *) continue ;; esac
  r=$($E2E slowpath "$c" 20000 2>"$OUT/slowpath-$c.log" | grep '^RESULT') \
    || { echo "| $c | failed: see $OUT/slowpath-$c.log |"; continue; }
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$(field "$r" profiles)" \
    "$(field "$r" triggering)" "$(field "$r" exported)" "$(field "$r" rejected)" "$(field "$r" httpCalls)" \
    "$(field "$r" callsPerProfile)" "$(field "$r" seconds)" "$(field "$r" requestsPerSecond)" \
    "$(field "$r" secondsAtVendorRate)"
done

STATE_MEMBERS=${STATE_MEMBERS:-1000000}
echo
echo "## 7. Sync state on an SQLite file: $STATE_MEMBERS members, -Xmx64m, one thread pinned to one core"
echo
echo "Recorded in batches of 1,000 (into a new destination, then all again with new hashes), then looked"
echo "up in groups of 128 (twice). Per CPU second: the benchmark thread's CPU time, SQLite's work included."
echo
echo "| members | inserted/s | per CPU s | updated/s | per CPU s | lookups/s | per CPU s | again/s | per CPU s | file MiB | peak heap MiB | live heap MiB |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
PIN=""
command -v taskset > /dev/null && PIN="taskset -c 0"
r=$($PIN java -Xmx64m -XX:+UseSerialGC -cp "$JAR" com.segmentexport.benchmarks.SyncStateBenchmark "$STATE_MEMBERS" \
    2>"$OUT/sync-state.log" | grep '^RESULT') \
  && printf '| %s | %s | %s | %s | %s | **%s** | %s | %s | %s | %s | %s | %s |\n' "$(field "$r" members)" \
    "$(field "$r" inserted)" "$(field "$r" insertedPerCpu)" "$(field "$r" updated)" "$(field "$r" updatedPerCpu)" \
    "$(field "$r" lookups)" "$(field "$r" lookupsPerCpu)" "$(field "$r" lookupsAgain)" \
    "$(field "$r" lookupsAgainPerCpu)" "$(field "$r" fileMiB)" "$(field "$r" peakHeapMiB)" "$(field "$r" liveHeapMiB)" \
  || echo "| $STATE_MEMBERS | failed: see $OUT/sync-state.log |"

echo
echo "## 8. Incremental sync end to end: $STATE_MEMBERS profiles, the SQLite state, -Xmx64m, simulator limits off"
echo
echo "Four runs of one segment in one JVM: the first (every profile new to the state: sent and recorded), the"
echo "same segment again (nothing sent: every profile checked against the state), with 1% of the profiles"
echo "changed (only those sent), and without a state (for the ratio). Rates are profiles read per second."
echo
echo "| connector | first /s | unchanged: seconds | unchanged /s | ÷ stateless | 1% changed: sent | seconds | stateless /s | first ÷ stateless | peak live heap MiB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for c in $CONNECTORS; do
  r=$(java -Xmx64m -cp "$JAR" com.segmentexport.benchmarks.IncrementalBenchmark "$c" "$STATE_MEMBERS" \
      2>"$OUT/incremental-$c.log" | grep '^RESULT') \
    || { echo "| $c | failed: see $OUT/incremental-$c.log |"; continue; }
  printf '| %s | %s | **%s** | %s | %s | %s | %s | %s | %s | %s |\n' "$c" "$(field "$r" firstPerSecond)" \
    "$(field "$r" unchangedSeconds)" "$(field "$r" unchangedPerSecond)" "$(field "$r" unchangedRateOverStateless)" \
    "$(field "$r" changedSent)" "$(field "$r" changed1pctSeconds)" "$(field "$r" statelessPerSecond)" \
    "$(field "$r" firstRateOverStateless)" "$(field "$r" peakLiveMiB)"
done

echo
CEILING_STATE_PROFILES=${CEILING_STATE_PROFILES:-200000}
echo "## 9. What the state costs a full export at the vendor's limits (ceiling ratio, $CEILING_STATE_PROFILES profiles)"
echo
echo "| connector | ratio without a state | ratio with a new SQLite state (every profile recorded) |"
echo "|---|---:|---:|"
for c in $CONNECTORS; do
  n=$CEILING_STATE_PROFILES
  [ "$c" = autopilot ] && n=100000
  a=$($E2E ceiling "$c" "$n" 2>"$OUT/ceiling-nostate-$c.log" | grep '^RESULT') || a=""
  b=$(java -Xmx1g -Dstate=true -cp "$JAR" com.segmentexport.benchmarks.EndToEndBenchmark ceiling "$c" "$n" \
      2>"$OUT/ceiling-state-$c.log" | grep '^RESULT') || b=""
  printf '| %s (%s) | %s | %s |\n' "$c" "$n" "$(field "$a" ratio)" "$(field "$b" ratio)"
done

mirror_section
# 11. The race: the SDK's CLI against the vendors' official Node.js clients (race/race.sh, about 10
# minutes; its variables RACE_SIZES, RACE_ROUNDS, RACE_CONNECTORS apply).
if [ -z "${SKIP_RACE:-}" ]; then
  echo
  connector-benchmarks/race/race.sh
fi

many_exports_section

kafka_section
