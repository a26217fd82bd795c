"""Use cases that span domains, and the ways they are started: the CLI, periodic jobs and the
demo. Sits between ``web`` (HTTP and HTML) and the domains; nothing below imports it."""
