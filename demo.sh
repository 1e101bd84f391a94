#!/usr/bin/env bash
# The README's demo: builds the CLI, then exports the sample segments into each vendor's built-in
# simulator (in process: no account, no network). Each export shows progress and a summary; the
# samples hold invalid, missing and duplicate addresses on purpose, so each ends partially succeeded.
# Each export runs twice (--runs 2) against the same simulator and the sandbox's own temporary sync
# state: the second run sends nothing ("0 sent, N unchanged and not sent"). First, a plan: what an
# export would do, with nothing sent or written.
set -euo pipefail
cd "$(dirname "$0")"
mvn -B -q -pl connector-cli -am package -DskipTests
# the launcher the build makes (java -jar connector-cli/target/segment-export-all.jar takes the same arguments)
CLI=connector-cli/target/bin/segment-export
"$CLI" connectors
MAP=(--map Email=email_address --map FirstName=given_name --map LastName=family_name
  --map tier=loyalty_tier --map orders:INTEGER=orders)
echo
echo "=== plan: iterable (sandbox) ==="
"$CLI" plan --connector iterable --sandbox --privacy-consent-by "Demo operator" "${MAP[@]}" \
  samples/vip-customers.csv samples/lapsed-90-days.jsonl
status=0
for connector in autopilot campaignmonitor dotdigital iterable; do
  echo
  echo "=== $connector (sandbox, two runs) ==="
  set +e
  "$CLI" export --connector "$connector" --sandbox --runs 2 \
    --privacy-consent-by "Demo operator" "${MAP[@]}" \
    --rejected "target/demo-rejected-$connector.csv" \
    samples/vip-customers.csv samples/lapsed-90-days.jsonl
  code=$?
  set -e
  # 3 = partial success: the samples' bad rows are rejected, as they should be.
  if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then
    echo "export into $connector failed with exit code $code" >&2
    status=1
  fi
done
exit "$status"
