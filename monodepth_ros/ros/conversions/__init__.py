"""Message <-> numpy conversions, one module per message family; all raise ConversionError (errors.py)."""
