"""Hybrid (full-text + vector) search over document chunks; see docmill.search.service."""

from docmill.search.service import SearchHit, SearchResults, search

__all__ = ["SearchHit", "SearchResults", "search"]
