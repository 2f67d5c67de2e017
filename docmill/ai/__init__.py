"""Model backends behind small interfaces: embeddings, the OpenAI-compatible LLM client, and the offline
fallbacks (chunking, extractive summaries, classification by embedding similarity)."""
