"""The Slack app: Web API calls, handoff notices, and what slash commands and buttons do."""
