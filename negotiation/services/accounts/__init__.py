"""Accounts, their API keys, and stores."""
