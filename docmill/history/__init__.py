"""The dashboard's history: per-stage queue figures sampled every 30 s by one writer at a time, kept 14 days
(5-minute means after 24 h), read back per time window for the dashboard's charts."""
