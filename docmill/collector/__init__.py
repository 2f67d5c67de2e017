"""The news collector: safe fetching (fetch), feed parsing (parse), article text (articles), dedupe,
feed management and fetching (service), scheduling (schedule) and the polling loop (runner)."""
