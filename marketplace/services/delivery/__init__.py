"""Notices that reach people outside the app: e-mail (SMTP) and chat-robot webhooks (WeCom / DingTalk).

A new in-app notice is planned into the outbox (``planning``) in the same transaction that writes
it, per user and per notice kind (``preferences``); the scheduler's delivery job (``outbox``) sends
what is due over the channel (``senders``), retrying with backoff, and never inside a request, so a
failed delivery never blocks the request that created the notice. ``settings`` reads the SMTP server
and the webhook hosts allowed from the environment.
"""
