#!/bin/sh
echo '{"Version": 2, "AccessKeyId": "AKID", "SecretAccessKey": "secret-v2"}'
