#!/bin/sh
cat <<EOF
{"Version": 1, "AccessKeyId": "AKIDPROC", "SecretAccessKey": "secret-proc", "SessionToken": "token-proc", "Expiration": "2030-01-01T00:00:00Z"}
EOF
