"""Workflows: ordered rules (trigger → conditions → actions) run in the transaction of the triggering change."""
