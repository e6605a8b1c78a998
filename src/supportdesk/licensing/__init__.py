"""Products and their versions' lifecycle, licenses, Support IDs and entitlements."""
