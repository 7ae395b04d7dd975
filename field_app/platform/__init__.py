"""Platform adapters: where camera frames come from (a camera, or image files)."""
