#!/usr/bin/env bash
# Start Redis on 127.0.0.1:6379 unless it already answers (throttling keeps its counters
# there; nothing is written to disk). setup.sh installs redis-server when missing.
set -euo pipefail
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    exit 0
fi
mkdir -p /var/lib/redis /var/log/redis
redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
for _ in $(seq 30); do
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && exit 0
    sleep 0.2
done
echo "redis.sh: Redis did not start; see /var/log/redis/ci.log" >&2
exit 1
