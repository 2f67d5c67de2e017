"""What the routes call: queries and changes behind the HTTP handlers, callable without HTTP."""
