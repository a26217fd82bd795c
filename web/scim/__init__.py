"""SCIM 2.0 provisioning over HTTP at /scim/v2."""
