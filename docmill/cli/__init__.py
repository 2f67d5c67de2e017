"""The `docmill` command (Typer + Rich)."""
