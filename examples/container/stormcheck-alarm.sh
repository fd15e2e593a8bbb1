#!/bin/sh
# The stormcheck alarm in a container, on `docker logs -f openalgo`: Prometheus scrapes
# 127.0.0.1:9464/metrics on the host. Inside the container the alarm listens on 0.0.0.0 so the
# published port reaches it; -p publishes it on the host's loopback only.
# STORMCHECK_PACKAGE: a git URL with a tag or commit, or the path/URL of an `npm pack` tarball.
set -eu
STORMCHECK_PACKAGE="${STORMCHECK_PACKAGE:-github:your-org/stormcheck#v0.1.0}"
docker logs -f --since 0s openalgo 2>&1 |
  docker run --rm -i --name stormcheck-alarm -p 127.0.0.1:9464:9464 node:20-slim \
    sh -c "npm install --global --silent '$STORMCHECK_PACKAGE' && exec stormcheck verify - --follow --metrics 0.0.0.0:9464 --window-for-alarm 15m"
