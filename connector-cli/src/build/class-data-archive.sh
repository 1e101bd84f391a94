#!/usr/bin/env bash
# Makes the launcher's class-data sharing archive (connector-cli/target/segment-export.jsa), run by the
# build (exec-maven-plugin, package phase): JAVA JAR SAMPLE OUT.
#
# Training: a sandbox export of the sample into each connector's built-in simulator, each in its own
# JVM, lists the classes it loads (-XX:DumpLoadedClassList: the JDK's, the SDK's, picocli's, and the
# lambda forms and lambda proxies it spun). Then a static archive of them all is dumped (-Xshare:dump),
# which, unlike a dynamic archive (-XX:ArchiveClassesAtExit), also holds picocli's classes (Java 5 class
# files) and the pre-generated lambda forms. Any java runs it; the launcher uses it only when that java
# made it.
set -euo pipefail
java=$1 jar=$2 sample=$3 out=$4
dir=$(dirname "$out")/class-data-training
rm -rf "$dir" "$out"
mkdir -p "$dir"
for c in iterable campaignmonitor dotdigital autopilot; do
  # Exit code 3: the sample's bad rows are rejected, as they should be (partial success).
  # Iterable with the sandbox's temporary sync state (the default path), the others without.
  state=(--no-state)
  [ "$c" = iterable ] && state=()
  set +e
  "$java" -XX:DumpLoadedClassList="$dir/$c.classlist" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -jar "$jar" export --connector "$c" --sandbox ${state[@]+"${state[@]}"} --no-progress \
    --privacy-consent-by build --map Email=email_address --map FirstName=given_name \
    --map LastName=family_name "$sample" > "$dir/$c.log" 2>&1
  code=$?
  set -e
  if [ "$code" -ne 0 ] && [ "$code" -ne 3 ]; then
    echo "class-data-archive: the $c training export failed (exit $code); see $dir/$c.log" >&2
    exit 1
  fi
done
# One list: each class once, in the order first loaded (a class's supertypes come before it).
awk '!seen[$0]++' "$dir"/*.classlist > "$dir/classes.classlist"
"$java" -Xshare:dump -XX:SharedClassListFile="$dir/classes.classlist" -XX:SharedArchiveFile="$out" \
  -XX:+UseSerialGC -cp "$jar" > "$dir/dump.log" 2>&1 \
  || { echo "class-data-archive: the dump failed; see $dir/dump.log" >&2; exit 1; }
echo "class-data-archive: $out from $(wc -l < "$dir/classes.classlist") classes listed by 4 training exports"
