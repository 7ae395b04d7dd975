"""The `zkaid` command line: one entry point for the service, the pilot and the tools."""
