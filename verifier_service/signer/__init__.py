"""The agency's own issuance signer (``zkaid signer``): its key file, journal, HTTP app and
the request protocol the shared service speaks to it (docs/deployment.md §8)."""
