"""WeCom (企业微信) / 政务微信: the callback endpoint, the API client, the callback crypto, inbound and render.

Empty on purpose: each module is imported by name, and contract.py holds what they share.
"""
