"""Conversation flows: each a small state machine whose state lives in the database."""
