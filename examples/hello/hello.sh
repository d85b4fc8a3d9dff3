#!/bin/sh
cat "$GREETING_FILE"
echo "($(cat /app/build-info.txt); running as $(id -un) in $(hostname))"
