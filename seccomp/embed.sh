#!/bin/sh
# Turns seccomp/policy.txt into a C string so the binary carries its policy.
printf '/* Generated from %s by seccomp/embed.sh; do not edit. */\n' "$1"
printf '#include "fozzy/sys.h"\n\nconst char policy_text[] =\n'
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$1"
printf ';\n'
