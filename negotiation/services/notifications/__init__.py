"""Telling people what happened (RULES.md §6): webhook endpoints and the deliveries they
are owed, the worker's side of delivering them, the expiring-soon notices, the inbox."""
