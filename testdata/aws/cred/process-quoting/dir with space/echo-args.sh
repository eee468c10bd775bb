#!/bin/sh
printf '{"Version": 1, "AccessKeyId": "%s|%s|%s|%s", "SecretAccessKey": "%s"}' "$1" "$2" "$3" "$4" "$#"
