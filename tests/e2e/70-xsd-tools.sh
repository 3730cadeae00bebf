#!/bin/sh
# Debian's xenstore-* tools against the simulated host's store (toolstack/sim/xsd).
exec sh "${XENITH_SRCDIR:-.}/tests/xsd/debian-tools.sh"
