"""Every write and every report goes through a function here (verb_noun names)."""
