"""Reads that compute over many rows (rankings, the monthly 台账, a figure's events, on-time rates,
exports, the outbox listing): functions of a session, reached through `uow.figures` outside storage."""
