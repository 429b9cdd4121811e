#!/bin/sh
# A visible skip for a conformance suite whose data folder is absent.
echo "SKIP: $1 not found (conformance data lives beside the checkout, not in it)"
exit 77
