"""User-facing interfaces: command line, REST/WebSocket API and gRPC services."""
