"""The Edge Network client: request payloads, the transport, and responses."""
