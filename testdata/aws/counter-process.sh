#!/bin/sh
# credential_process for tests/aws/test_cred.c: counts its runs in the file
# named by $1 and prints key id AKIDRUN<n>, expiring at 1700003600
# (2023-11-14T23:13:20Z).
n=$(cat "$1" 2>/dev/null || echo 0)
n=$((n + 1))
echo "$n" > "$1"
printf '{"Version": 1, "AccessKeyId": "AKIDRUN%s", "SecretAccessKey": "s-%s", "SessionToken": "t-%s", "Expiration": "2023-11-14T23:13:20Z"}\n' "$n" "$n" "$n"
