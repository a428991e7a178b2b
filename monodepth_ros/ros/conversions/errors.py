"""The one error every message conversion raises."""
from __future__ import annotations


class ConversionError(ValueError):
    """A message cannot be converted: unsupported encoding, inconsistent sizes, invalid calibration."""
