#!/usr/bin/env bash
# The race (issue 26): the SDK's command-line tool against the vendors' official Node.js clients,
# @iterable/api (Iterable) and createsend-node (Campaign Monitor), exporting the same CSV into the
# same simulator (the SDK's own, limits off, in its own JVM on CPU 1), each racer pinned to CPU 0.
# Wall time includes process start; CPU seconds and peak RSS come from /usr/bin/time. Every run's
# delivered rows are checked against the simulator's count: a run that lost rows does not count.
# The official clients run the way their READMEs show, in batches of 1,000, with their natural
# concurrency (one request at a time: await / callback in a loop) and with 4 in flight; each round
# takes the faster of the two. Prints the tables for BENCHMARKS.md, each round's ratio included.
#
#   connector-benchmarks/race/race.sh                   # the whole race (about 10 minutes)
#   RACE_SIZES="10000" RACE_ROUNDS=2 RACE_CONNECTORS=iterable connector-benchmarks/race/race.sh
#   RACE_ONLY=1 connector-benchmarks/run.sh              # the same, from the suite's script
#
# Needs node (18+) and npm (the official clients are installed from the npm registry into a temp
# folder), taskset and /usr/bin/time. RACE_NO_BUILD=1 skips the Maven build.
set -euo pipefail
cd "$(dirname "$0")/../.."
RACE_CONNECTORS=${RACE_CONNECTORS:-iterable campaignmonitor}
RACE_SIZES=${RACE_SIZES:-10000 200000 1000000}
RACE_ROUNDS=${RACE_ROUNDS:-5}
# How the SDK side is started: the launcher (class-data sharing archive, JIT settings) by default.
SDK=${RACE_SDK:-connector-cli/target/bin/segment-export}
OUT=connector-benchmarks/target/race
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
RACE_DIR=$(cd connector-benchmarks/race && pwd)

for tool in node npm taskset /usr/bin/time curl; do
  command -v "$tool" > /dev/null || { echo "race: $tool is missing" >&2; exit 1; }
done
if [ -z "${RACE_NO_BUILD:-}" ]; then
  mvn -B -q -pl connector-cli,connector-benchmarks -am package -DskipTests
fi
JAR=connector-benchmarks/target/benchmarks.jar
[ -x "$SDK" ] || { echo "race: $SDK is missing (build connector-cli first)" >&2; exit 1; }

# The official clients, from the npm registry, in a temp folder (never committed).
NPM_DIR=$(mktemp -d "${TMPDIR:-/tmp}/segment-export-race-XXXXXX")
SIM_PID=""
cleanup() {
  [ -n "$SIM_PID" ] && kill "$SIM_PID" 2> /dev/null || true
  rm -rf "$NPM_DIR"
}
trap cleanup EXIT
cp "$RACE_DIR"/*.mjs "$RACE_DIR"/*.cjs "$NPM_DIR"/
(cd "$NPM_DIR" && npm init -y > /dev/null \
  && npm install --no-audit --no-fund --silent @iterable/api@0.13.0 createsend-node@0.8.2 csv-parse@6 > /dev/null)
version() { node -p "JSON.parse(require('fs').readFileSync('$NPM_DIR/node_modules/$1/package.json')).version"; }
ITERABLE_VERSION=$(version @iterable/api)
CREATESEND_VERSION=$(version createsend-node)

# The race's CSV: email,first_name,last_name; every address valid and unique (both sides must deliver
# every row, so the delivered counts can be checked exactly).
csv_file() {
  local n=$1 f="$OUT/race-$1.csv"
  if [ ! -s "$f" ]; then
    awk -v n="$n" 'BEGIN {
      print "email,first_name,last_name"
      for (i = 1; i <= n; i++) printf "person%d@example%d.org,Given%d,Family%d\n", i, i % 97, i % 1013, i % 7919
    }' > "$f"
  fi
  echo "$f"
}

# The simulator: RaceSimulatorServer on CPU 1, spoken to through two named pipes (file descriptors
# SIM_IN and SIM_OUT, which command substitutions inherit).
sim_start() {
  rm -f "$OUT/sim.in" "$OUT/sim.out"
  mkfifo "$OUT/sim.in" "$OUT/sim.out"
  taskset -c 1 java -Xmx1g -cp "$JAR" com.segmentexport.benchmarks.RaceSimulatorServer "$1" \
    < "$OUT/sim.in" > "$OUT/sim.out" 2> "$OUT/simulator-$1.log" &
  SIM_PID=$!
  exec {SIM_IN}> "$OUT/sim.in" {SIM_OUT}< "$OUT/sim.out"
  local line
  read -r -t 120 line <&"$SIM_OUT" || { echo "race: the $1 simulator did not start (see $OUT/simulator-$1.log)" >&2; exit 1; }
  ENDPOINT=$line
}
sim_ask() {
  echo "$1" >&"$SIM_IN"
  local answer=""
  read -r -t 30 answer <&"$SIM_OUT" || true
  echo "$answer"
}
sim_stop() {
  exec {SIM_IN}>&- {SIM_OUT}<&-
  wait "$SIM_PID" 2> /dev/null || true
  SIM_PID=""
  rm -f "$OUT/sim.in" "$OUT/sim.out"
}
# endpoint KEY: a value of the connect line (URL-decoded).
endpoint() {
  local v
  v=$(tr ' ' '\n' <<< "$ENDPOINT" | sed -n "s/^$1=//p" | head -1)
  printf '%b' "${v//%/\\x}"
}

# timed LOG COMMAND...: runs the command on CPU 0 under /usr/bin/time; sets WALL CPU RSS_MIB CODE.
timed() {
  local log=$1
  shift
  set +e
  /usr/bin/time -f 'TIME wall=%e user=%U sys=%S rssKiB=%M' -o "$log.time" taskset -c 0 "$@" > "$log" 2>&1
  CODE=$?
  set -e
  local t
  t=$(tail -1 "$log.time")
  WALL=$(sed -n 's/.*wall=\([^ ]*\).*/\1/p' <<< "$t")
  CPU=$(awk -v t="$t" 'BEGIN { split(t, a, /[ =]/); for (i in a) { if (a[i] == "user") u = a[i + 1]; if (a[i] == "sys") s = a[i + 1] }; printf "%.2f", u + s }')
  RSS_MIB=$(sed -n 's/.*rssKiB=\([0-9]*\).*/\1/p' <<< "$t" | awk '{ printf "%.0f", $1 / 1024 }')
}

# delivered N: the simulator's count since the last reset; "ok" when it is N, else what it saw.
delivered() {
  local c
  c=$(sim_ask count | sed -n 's/.*received=\([0-9]*\).*/\1/p')
  if [ "$c" = "$1" ]; then echo ok; else echo "lost:$c/$1"; fi
}

median() { sort -g | awk 'NF { a[++n] = $1 } END { if (n == 0) { print "-"; exit } if (n % 2) print a[(n + 1) / 2]; else printf "%.3g\n", (a[n / 2] + a[n / 2 + 1]) / 2 }'; }

run_sdk() { # CONNECTOR FILE LOG
  local c=$1 f=$2 log=$3 args=()
  case $c in
    iterable)
      args=(--setting "baseUrl=$(endpoint setting.baseUrl)")
      export SEGMENT_EXPORT_ITERABLE_APIKEY; SEGMENT_EXPORT_ITERABLE_APIKEY=$(endpoint secret.apiKey) ;;
    campaignmonitor)
      args=(--setting "baseUrl=$(endpoint setting.baseUrl)" --option "listId=$(endpoint option.listId)")
      export SEGMENT_EXPORT_CAMPAIGNMONITOR_APIKEY; SEGMENT_EXPORT_CAMPAIGNMONITOR_APIKEY=$(endpoint secret.apiKey) ;;
  esac
  # the simulator's limits are off, and so is the SDK's own pacing (as in the overhead benchmark)
  timed "$log" "$SDK" export -c "$c" "${args[@]}" --setting requestsPerSecond=100000 \
    --privacy-consent-by "Race" --no-state \
    --map Email=email --map FirstName=first_name --map LastName=last_name "$f"
}

run_official() { # CONNECTOR FILE IN_FLIGHT LOG
  local c=$1 f=$2 k=$3 log=$4
  case $c in
    iterable)
      ITERABLE_API_KEY=$(endpoint secret.apiKey) ITERABLE_BASE_URL=$(endpoint setting.baseUrl) \
        timed "$log" node "$NPM_DIR/iterable-official.mjs" "$f" "$(basename "$f" .csv)" "$k" ;;
    campaignmonitor)
      local host
      host=$(endpoint setting.baseUrl | sed -E 's#^https?://##; s#/.*$##')
      CREATESEND_API_KEY=$(endpoint secret.apiKey) CREATESEND_HOST=$host \
        timed "$log" node "$NPM_DIR/campaignmonitor-official.cjs" "$f" "$(endpoint option.listId)" "$k" ;;
  esac
}

echo "### 11. The race: the SDK's CLI against the vendors' official Node.js clients"
echo
echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(java -version 2>&1 | head -1), node $(node --version),"
echo "@iterable/api $ITERABLE_VERSION, createsend-node $CREATESEND_VERSION; SDK: $SDK (export --no-state, progress on)."
echo "Each racer on CPU 0, the simulator (limits off) on CPU 1; wall time includes process start."
echo "Ratio = best official wall ÷ SDK wall (above 1: the SDK is faster). Official: the faster of 1 and 4 in flight."

# Iterable: a list is found or created by name, and a new list refuses its first subscribe (as
# Iterable does while a new list settles; the SDK retries, the official client stops). The race
# creates each size's list first, and spends that refusal, so that both sides find it ready.
prepare_iterable_list() {
  local base key id
  base=$(endpoint setting.baseUrl)
  key=$(endpoint secret.apiKey)
  id=$(curl -sf -H "Api-Key: $key" -H 'Content-Type: application/json' -d "{\"name\":\"$1\"}" \
    "${base%/}/api/lists" | sed -n 's/.*"listId":\([0-9]*\).*/\1/p')
  curl -s -o /dev/null -H "Api-Key: $key" -H 'Content-Type: application/json' \
    -d "{\"listId\":$id,\"subscribers\":[{\"email\":\"warm-up@example.org\"}]}" "${base%/}/api/lists/subscribe"
}

for c in $RACE_CONNECTORS; do
  sim_start "$c"
  if [ "$c" = iterable ]; then
    for n in $RACE_SIZES; do prepare_iterable_list "race-$n"; done
  fi
  echo
  echo "### $c"
  echo
  echo "| rows | SDK s (median) | official s (median, best of 1/4 in flight) | **SDK ÷ official** | each round | SDK CPU s | official CPU s | SDK peak RSS MiB (median) | official peak RSS MiB (median) | runs not counted |"
  echo "|---:|---:|---:|---:|---|---:|---:|---:|---:|---|"
  library_rows=()
  for n in $RACE_SIZES; do
    f=$(csv_file "$n")
    ratios=() sdk_w=() off_w=() sdk_c=() off_c=() sdk_r=() off_r=() lost=()
    for ((r = 1; r <= RACE_ROUNDS; r++)); do
      # alternate who goes first
      order="sdk off"
      ((r % 2 == 0)) && order="off sdk"
      s_wall="" o_wall="" o_cpu="" o_rss=""
      for who in $order; do
        if [ "$who" = sdk ]; then
          sim_ask reset > /dev/null
          run_sdk "$c" "$f" "$OUT/sdk-$c-$n-$r.log"
          d=$(delivered "$n")
          if [ "$CODE" -eq 0 ] && [ "$d" = ok ]; then
            s_wall=$WALL; sdk_w+=("$WALL"); sdk_c+=("$CPU"); sdk_r+=("$RSS_MIB")
          else
            lost+=("sdk r$r exit $CODE $d")
          fi
        else
          for k in 1 4; do
            sim_ask reset > /dev/null
            run_official "$c" "$f" "$k" "$OUT/official-$c-$n-$r-$k.log"
            d=$(delivered "$n")
            if [ "$CODE" -eq 0 ] && [ "$d" = ok ]; then
              if [ -z "$o_wall" ] || awk -v a="$WALL" -v b="$o_wall" 'BEGIN { exit !(a < b) }'; then
                o_wall=$WALL; o_cpu=$CPU; o_rss=$RSS_MIB; o_k=$k
              fi
            else
              lost+=("official/$k r$r exit $CODE $d")
            fi
          done
        fi
      done
      if [ -n "$o_wall" ]; then off_w+=("$o_wall"); off_c+=("$o_cpu"); off_r+=("$o_rss"); fi
      if [ -n "$s_wall" ] && [ -n "$o_wall" ]; then
        ratios+=("$(awk -v o="$o_wall" -v s="$s_wall" 'BEGIN { printf "%.2f", o / s }')")
        echo "round $r $c $n: SDK ${s_wall}s official ${o_wall}s (${o_k} in flight) ratio ${ratios[-1]}" >&2
      fi
    done
    pm() { printf '%s\n' "$@" | median; }
    # The library alone: a host calling the SDK in a warm JVM (RaceLibrary), on CPU 0 as well.
    sim_ask reset > /dev/null
    set +e
    lib=$(taskset -c 0 java -Xmx3g -cp "$JAR" com.segmentexport.benchmarks.RaceLibrary "$ENDPOINT" "$f" "$RACE_ROUNDS" \
      2> "$OUT/library-$c-$n.log" | grep '^RESULT')
    set -e
    lib_s=$(sed -n 's/.* seconds=\([^ ]*\).*/\1/p' <<< "$lib")
    lib_exports=$(sed -n 's/.* exports=\([0-9]*\).*/\1/p' <<< "$lib")
    lib_ok=$(delivered "$((n * ${lib_exports:-0}))")
    off_med=$(pm "${off_w[@]}")
    if [ -n "$lib_s" ] && [ "$lib_ok" = ok ]; then
      library_rows+=("| $n | $lib_s | $(sed -n 's/.* rounds=\([^ ]*\).*/\1/p' <<< "$lib" | sed 's/,/, /g') | $(sed -n 's/.* cpuSeconds=\([^ ]*\).*/\1/p' <<< "$lib") | $off_med | **$(awk -v o="$off_med" -v s="$lib_s" 'BEGIN { printf "%.2f", o / s }')** |")
    else
      library_rows+=("| $n | failed or lost rows ($lib_ok): see $OUT/library-$c-$n.log | | | $off_med | |")
    fi
    printf '| %s | %s | %s | **%s** | %s | %s | %s | %s | %s | %s |\n' "$n" \
      "$(pm "${sdk_w[@]}")" "$(pm "${off_w[@]}")" "$(pm "${ratios[@]}")" \
      "$(IFS=,; echo "${ratios[*]:-}" | sed 's/,/, /g')" "$(pm "${sdk_c[@]}")" "$(pm "${off_c[@]}")" \
      "$(pm "${sdk_r[@]}" | awk '{ printf "%.0f", $1 }')" "$(pm "${off_r[@]}" | awk '{ printf "%.0f", $1 }')" \
      "$(IFS=';'; echo "${lost[*]:-none}")"
  done
  echo
  echo "The library alone ($c): a host calling the SDK in a JVM already warm (3 exports first), the"
  echo "profiles already in memory, on CPU 0; against the official client's median wall time above."
  echo
  echo "| rows | library s (median) | each round | library CPU s | official s (median) | **official ÷ library** |"
  echo "|---:|---:|---|---:|---:|---:|"
  printf '%s\n' "${library_rows[@]}"
  sim_stop
done
