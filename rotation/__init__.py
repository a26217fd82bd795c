"""Rotations, members, time off, materialised shifts, the scheduler, swaps and iCal rendering."""
