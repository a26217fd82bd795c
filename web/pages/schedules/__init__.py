"""Schedule pages."""
