"""Who may see and change what: the visibility filter, sharing, groups."""
