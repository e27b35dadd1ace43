"""The pure domain: contacts, stages, events, transitions and due actions. No I/O, no Qt."""
