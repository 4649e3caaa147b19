"""The office's web console: server-rendered Chinese pages over the same ports and use cases as the chat."""
