"""Telegram, whichever framework: the shared contract, polling, the webhook, and the two backends.

Empty on purpose: importing the package loads neither framework; `channel.make_backend` loads one.
"""
