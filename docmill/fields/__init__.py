"""Custom fields: typed definitions, document values, and extracted suggestions."""
