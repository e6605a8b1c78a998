"""The satisfaction survey sent when a case closes (R-34)."""
