#!/bin/sh
# edgelb from the sources, as HAPROXY_PROGRAM: the arguments are passed on untouched.
here=$(cd "$(dirname "$0")/../.." && pwd)
exec "$here/node_modules/.bin/bun" "$here/src/main.ts" "$@"
