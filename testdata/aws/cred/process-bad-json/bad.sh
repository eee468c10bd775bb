#!/bin/sh
echo "AccessKeyId=AKIDX SecretAccessKey=secret-in-garbage"
