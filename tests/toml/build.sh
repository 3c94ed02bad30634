#!/bin/sh
# Builds the toml-test decoder; run from the top of the tree.
#   tests/toml/build.sh                      plain build
#   CFLAGS='-O1 -g -fsanitize=address,undefined' tests/toml/build.sh
set -eu
mkdir -p build
${CC:-cc} -std=c11 -Wall -Wextra -Werror -pedantic ${CFLAGS:--O2} -Iinclude \
	src/toml/toml.c tests/toml/decoder.c -o "${OUT:-build/toml-decoder}"
