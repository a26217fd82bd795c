"""Outbound webhooks: endpoints, the events they receive, signed deliveries and their log."""
