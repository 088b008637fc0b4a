#!/usr/bin/env bash
# What a small nightly run costs on an object store: the requests it sends to S3 and its wall time
# when each request takes as long as a real store's. The warehouse and the landing live on the local
# S3 server (bin/local-s3), the run goes through bench/s3_latency_proxy.py.
#
#   bench/s3-nightly.sh [--latency-ms 20] [--runs 1] [--name NAME]
#
# Once: 31 days at scale 0.01 generated into s3a://salespulse/bench-s3/landing, and a catch-up run
# to day 30 (direct, not timed) whose warehouse is kept on disk. Each timed run starts from a copy
# of it and runs day 31 through the proxy; it prints the run's stages, wall time and requests by kind,
# and keeps the request log under bench/results/. Delete .local/bench/s3 to start over.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
LATENCY=20 RUNS=1 NAME=s3-nightly
while [[ $# -gt 0 ]]; do
  case "$1" in
    --latency-ms) LATENCY="$2"; shift 2 ;;
    --runs) RUNS="$2"; shift 2 ;;
    --name) NAME="$2"; shift 2 ;;
    *) echo "usage: bench/s3-nightly.sh [--latency-ms MS] [--runs N] [--name NAME]" >&2; exit 2 ;;
  esac
done
bin/local-s3 start >/dev/null
eval "$(bin/local-s3 env)"
WORK="$ROOT/.local/bench/s3" BUCKET_DIR="$ROOT/.local/s3/data/salespulse" PORT=9445
mkdir -p "$WORK" bench/results
# the key the kept warehouse was computed with (another key recomputes silver): random, kept beside it
[[ -f "$WORK/hash-key" ]] || (umask 077; od -An -N32 -tx1 /dev/urandom | tr -d ' \n' > "$WORK/hash-key")
export SALESPULSE_HASH_KEY="${SALESPULSE_HASH_KEY:-$(cat "$WORK/hash-key")}"
direct="$WORK/direct.properties" proxied="$WORK/proxied.properties"
cat > "$direct" <<PROPS
spark.hadoop.fs.s3a.endpoint=http://127.0.0.1:${SALESPULSE_S3_PORT:-9444}
spark.hadoop.fs.s3a.endpoint.region=us-east-1
spark.hadoop.fs.s3a.path.style.access=true
spark.hadoop.fs.s3a.connection.ssl.enabled=false
PROPS
sed "s#:${SALESPULSE_S3_PORT:-9444}#:$PORT#" "$direct" > "$proxied"
LANDING=s3a://salespulse/bench-s3/landing WAREHOUSE=s3a://salespulse/bench-s3/warehouse
if [[ ! -d "$WORK/warehouse-day30" ]]; then
  rm -rf "$BUCKET_DIR/bench-s3"
  bin/salespulse datagen --out "$LANDING" --start 2026-01-01 --days 31 --scale 0.01 --seed 42 --conf "$direct" > "$WORK/datagen.log"
  bin/salespulse run --date 2026-01-30 --no-notify --landing "$LANDING" --warehouse "$WAREHOUSE" --conf "$direct" > "$WORK/catch-up.log"
  # the local server keeps each object as a file, its metadata (ETag) in extended attributes
  cp -a --preserve=all "$BUCKET_DIR/bench-s3/warehouse" "$WORK/warehouse-day30"
fi
python3 bench/s3_latency_proxy.py --log "$WORK/requests.log" --port "$PORT" --upstream "${SALESPULSE_S3_PORT:-9444}" \
  --latency-ms "$LATENCY" &
PROXY=$!
trap 'kill $PROXY 2>/dev/null' EXIT
sleep 1
for i in $(seq 1 "$RUNS"); do
  rm -rf "$BUCKET_DIR/bench-s3/warehouse"
  cp -a --preserve=all "$WORK/warehouse-day30" "$BUCKET_DIR/bench-s3/warehouse"
  : > "$WORK/requests.log"
  /usr/bin/time -f "%e" -o "$WORK/wall" bin/salespulse run --date 2026-01-31 --no-notify --landing "$LANDING" \
    --warehouse "$WAREHOUSE" --conf "$proxied" > "$WORK/nightly.log"
  log="bench/results/$NAME-$(date +%Y%m%dT%H%M%S)-requests.log"
  cp "$WORK/requests.log" "$log"
  echo "run $i: $(cat "$WORK/wall") s wall, $(wc -l < "$log") requests at ${LATENCY} ms each ($log)"
  grep 'stages:' "$WORK/nightly.log" | sed 's/.*stages: /  stages: /'
  # requests by kind: method and what the path names (a table's log, a data file, the landing)
  sed -E 's#^GET [^?]*\?.*list-type=2.*prefix=([^&]*).*#LIST \1#; s#%2F#/#g' "$log" | awk '{
      k = $1; p = $2
      if (p ~ /_delta_log/) { n = p; sub(/.*\//, "", n); k = k " log:" (n ~ /\.crc$/ ? "crc" : n ~ /\.json$/ ? "commit" : n ~ /checkpoint/ ? "checkpoint" : n == "" ? "listing" : "other") }
      else if (p ~ /\.parquet$/) k = k " data file"
      else if (p ~ /landing/) k = k " landing"
      else k = k " other"
      c[k]++ } END { for (k in c) printf "  %6d %s\n", c[k], k }' | sort -rn
done
