#!/bin/sh
echo '{"Version": 1, "AccessKeyId": "AKIDLEAK", "SecretAccessKey": "secret-leak"}'
echo "session expired, run login" >&2
exit 3
