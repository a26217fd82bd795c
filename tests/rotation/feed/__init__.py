"""Tests of the calendar feed: content, fingerprints and iCal rendering."""
