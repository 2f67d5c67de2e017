"""The processing pipeline: the stage registry, the queue engine and the worker."""
