"""Platform adapters (camera, screen brightness): the only place that knows about devices."""
