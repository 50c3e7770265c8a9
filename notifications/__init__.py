"""Notifications: who is told what, by email, and the delivery of the outbox over SMTP.

Two layers in one package. The lower one (`kinds`, `models`, `preferences`, `unsubscribe`,
`notices`, `delivery`) imports only `commonground`, `accounts` and `partners`, so the feature
services (needs, planning, partners) can queue their event notices in their own unit of work.
The upper one (`routines`: warnings and digests driven by the clock) reads the feature packages.
"""
