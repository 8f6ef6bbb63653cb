"""Sources → validated records → entity resolution → batched idempotent writes."""
